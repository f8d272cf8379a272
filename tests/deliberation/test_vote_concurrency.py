"""50 parallel clicks of one participant on one statement store one vote (reliability R2).

Real threads against a temp-file SQLite app (WAL), one test client per thread, all released
together by a barrier; the anonymous participant's cookie is shared by every client, as one
browser sending the same click 50 times.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from deliberation.models import Conversation, Participant, Vote
from tests.helpers import N, fresh_postgres_database, in_parallel
from tests.helpers import make_app as _make_app

from .web_helpers import open_conversation


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request, tmp_path):
    """On SQLite (file, WAL), then on PostgreSQL (ON CONFLICT has one path per dialect)."""
    overrides = {}
    if request.param == "postgresql":
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"),
                                       "conversations_concurrency")
        overrides = {"SQLALCHEMY_DATABASE_URI": url,
                     "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": N}}
    app = _make_app(tmp_path, **overrides)
    with app.app_context():
        assert db.engine.dialect.name == request.param
        yield app
        db.session.remove()
        db.engine.dispose()


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


def test_votes_load_as_columns_on_both_databases(app):
    from core.db import utcnow
    from deliberation import service
    from deliberation.results import recompute

    conversation = open_conversation()
    sids = [s.id for s in conversation.statements]
    for person in range(12):
        who = service.Who(anon_key=str(person).ljust(64, "k"))
        for i, sid in enumerate(sids):
            service.cast_vote(conversation.id, sid, (1, -1, 0)[(person + i) % 3], who=who,
                              now=utcnow())
    result = recompute(conversation.id, now=utcnow())
    assert result.matrix.raw.nnz == 60 and result.matrix.shape == (12, 5)
