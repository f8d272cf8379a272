"""50 parallel clicks of one participant on one statement store one vote (reliability R2).

Real threads against a temp-file SQLite app (WAL), one test client per thread, all released
together by a barrier; the anonymous participant's cookie is shared by every client, as one
browser sending the same click 50 times.
"""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from core.db import db
from deliberation.models import Conversation, Participant, Vote

from .web_helpers import open_conversation

N = 50


def in_parallel(app, request_for):
    db.session.commit()
    barrier = threading.Barrier(N)
    responses, errors = [None] * N, []

    def worker(i):
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            responses[i] = request_for(client, i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return responses


def test_fifty_parallel_clicks_store_one_vote(app, client):
    conversation = open_conversation()
    sid = conversation.statements[0].id
    url = f"/conversations/{conversation.id}/vote"
    first = client.post(url, data={"statement_id": sid, "vote": "pass"})
    assert first.status_code == 302
    cookie = client.get_cookie("conversation_id").value

    def click(c, i):
        c.set_cookie("conversation_id", cookie)
        return c.post(url, data={"statement_id": sid, "vote": ("agree", "disagree")[i % 2]},
                      headers={"Accept": "application/json"})

    responses = in_parallel(app, click)
    assert [r.status_code for r in responses] == [200] * N
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
    assert db.session.scalar(select(Vote.value)) in (1, -1)
    assert db.session.get(Conversation, conversation.id).vote_seq == N + 1


def test_fifty_new_anonymous_people_at_once_each_get_a_number(app):
    conversation = open_conversation()
    sid = conversation.statements[0].id
    url = f"/conversations/{conversation.id}/vote"
    responses = in_parallel(app, lambda c, i: c.post(url, data={"statement_id": sid,
                                                               "vote": "agree"}))
    assert [r.status_code for r in responses] == [302] * N
    numbers = db.session.scalars(select(Participant.number)).all()
    assert sorted(numbers) == list(range(N))
    assert db.session.scalar(select(func.count()).select_from(Vote)) == N
