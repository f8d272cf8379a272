"""The voting page: one statement at a time, votes without JS and with JSON, latest wins."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from deliberation.models import Participant, Statement, Vote

from .web_helpers import open_conversation


def shown_statement_id(html: str) -> int | None:
    match = re.search(r'id="vote-statement-id" value="(\d*)"', html)
    return int(match.group(1)) if match and match.group(1) else None


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_anonymous_votes_one_statement_at_a_time_until_all_are_done(client, db):
    conversation = open_conversation()
    seen = []
    for n in range(5):
        page = client.get(f"/conversations/{conversation.id}")
        assert page.status_code == 200
        assert f"{n} of 5 voted" in page.text
        sid = shown_statement_id(page.text)
        assert sid is not None and sid not in seen
        seen.append(sid)
        response = client.post(f"/conversations/{conversation.id}/vote",
                               data={"statement_id": sid, "vote": "agree"})
        assert response.status_code == 302
    page = client.get(f"/conversations/{conversation.id}")
    assert "5 of 5 voted" in page.text and shown_statement_id(page.text) is None
    assert count(db, Vote) == 5 and count(db, Participant) == 1
    assert db.session.scalar(select(Participant.anon_key)) is not None


def test_json_vote_returns_the_next_statement_and_progress(client, db):
    conversation = open_conversation()
    sid = shown_statement_id(client.get(f"/conversations/{conversation.id}").text)
    response = client.post(f"/conversations/{conversation.id}/vote",
                           data={"statement_id": sid, "vote": "disagree"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["voted"] == 1 and body["total"] == 5 and body["progress"] == "1 of 5 voted"
    assert body["next"]["id"] != sid
    assert db.session.scalar(select(Vote.value)) == -1


def test_changing_a_vote_keeps_one_row_latest_wins(client, db):
    conversation = open_conversation()
    sid = conversation.statements[0].id
    for vote in ("agree", "pass", "disagree"):
        client.post(f"/conversations/{conversation.id}/vote",
                    data={"statement_id": sid, "vote": vote, "from": "list"})
    assert db.session.scalars(select(Vote.value)).all() == [-1]
    assert db.session.scalar(select(func.max(Participant.id))) is not None


def test_bad_votes_are_refused_and_change_nothing(client, db):
    conversation = open_conversation()
    other = open_conversation(texts=["Elsewhere"])
    url = f"/conversations/{conversation.id}/vote"
    assert client.post(url, data={"statement_id": 1, "vote": "maybe"}).status_code == 400
    assert client.post(url, data={"vote": "agree"}).status_code == 400
    foreign = other.statements[0].id
    bad = client.post(url, data={"statement_id": foreign, "vote": "agree"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "error" in bad.get_json()
    assert client.post("/conversations/999/vote",
                       data={"statement_id": 1, "vote": "agree"}).status_code == 404
    assert count(db, Vote) == 0


def test_closed_or_login_only_conversations_refuse_anonymous_votes(client, db):
    closed = open_conversation()
    closed.phase = "closed"
    members = open_conversation(anonymous=False)
    db.session.commit()
    for conversation in (closed, members):
        response = client.post(f"/conversations/{conversation.id}/vote",
                               data={"statement_id": conversation.statements[0].id,
                                     "vote": "agree"})
        assert response.status_code == 400
    assert count(db, Vote) == 0


def test_own_statements_are_not_shown_to_their_author(client, db, make_user, login_as):
    author = make_user()
    conversation = open_conversation(texts=["Someone else's"])
    db.session.add(Statement(conversation_id=conversation.id, text="Mine", moderation=1,
                             author_id=author.id))
    db.session.commit()
    login_as(client, author)
    page = client.get(f"/conversations/{conversation.id}")
    assert "0 of 1 voted" in page.text
    assert shown_statement_id(page.text) == conversation.statements[0].id


def test_strict_moderation_hides_new_statements_non_strict_shows_them(client, db):
    for strict, expected in ((True, 1), (False, 2)):
        conversation = open_conversation(strict=strict, texts=["Accepted"])
        db.session.add(Statement(conversation_id=conversation.id, text="Unscreened"))
        db.session.commit()
        page = client.get(f"/conversations/{conversation.id}")
        assert f"0 of {expected} voted" in page.text
        new = conversation.statements[-1]
        response = client.post(f"/conversations/{conversation.id}/vote",
                               data={"statement_id": new.id, "vote": "agree"})
        assert response.status_code == (400 if strict else 302)


def test_anonymous_votes_move_to_the_account_on_login(client, db, make_user):
    user = make_user(email="pat@example.org", password="a long enough passphrase")
    conversation = open_conversation()
    first, second = conversation.statements[0].id, conversation.statements[1].id
    for sid in (first, second):
        client.post(f"/conversations/{conversation.id}/vote",
                    data={"statement_id": sid, "vote": "agree"})
    login = client.post("/login", data={"email": "pat@example.org",
                                        "password": "a long enough passphrase"})
    assert login.status_code == 302
    db.session.expire_all()
    participant = db.session.scalar(select(Participant))
    assert participant.user_id == user.id and participant.anon_key is None
    assert count(db, Vote) == 2
    assert "2 of 5 voted" in client.get(f"/conversations/{conversation.id}").text


def test_merge_into_an_existing_participation_keeps_the_newest_votes(app, db, make_user):
    from datetime import timedelta

    from core.db import utcnow
    from deliberation import service

    user = make_user()
    conversation = open_conversation()
    a, b = (s.id for s in conversation.statements[:2])
    now = utcnow()
    service.cast_vote(conversation.id, a, 1, who=service.Who(user=user), now=now)
    service.cast_vote(conversation.id, a, -1, who=service.Who(anon_key="k" * 64),
                      now=now + timedelta(seconds=5))
    service.cast_vote(conversation.id, b, 0, who=service.Who(anon_key="k" * 64), now=now)
    assert service.merge_anonymous(user, "k" * 64, now=now) == 1
    assert count(db, Participant) == 1
    assert dict(db.session.execute(select(Vote.statement_id, Vote.value)).all()) == {a: -1, b: 0}


def test_anonymous_votes_move_to_the_account_at_registration(client, db):
    from accounts.models import User

    conversation = open_conversation()
    first, second = conversation.statements[0].id, conversation.statements[1].id
    for sid, vote in ((first, "agree"), (second, "disagree")):
        client.post(f"/conversations/{conversation.id}/vote",
                    data={"statement_id": sid, "vote": vote})
    before = count(db, Vote)
    response = client.post("/register", data={
        "display_name": "Noor", "email": "noor@example.org",
        "password": "a long enough passphrase"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "noor@example.org"))
    participant = db.session.scalar(select(Participant))
    assert participant.user_id == user.id and participant.anon_key is None
    assert count(db, Vote) == before == 2 and count(db, Participant) == 1
    assert dict(db.session.execute(select(Vote.statement_id, Vote.value)).all()) == {
        first: 1, second: -1}


def test_login_merge_when_the_account_voted_the_same_statement_latest_wins(
        client, db, make_user, login_as):
    user = make_user(email="kim@example.org", password="a long enough passphrase")
    conversation = open_conversation()
    sid = conversation.statements[0].id
    login_as(client, user)
    client.post(f"/conversations/{conversation.id}/vote",
                data={"statement_id": sid, "vote": "agree"})
    with client.session_transaction() as session:
        session.clear()  # logged out; the browser has no anonymous token yet
    client.post(f"/conversations/{conversation.id}/vote",
                data={"statement_id": sid, "vote": "disagree"})  # later, anonymously
    assert count(db, Vote) == 2 and count(db, Participant) == 2
    client.post("/login", data={"email": "kim@example.org",
                                "password": "a long enough passphrase"})
    db.session.expire_all()
    assert count(db, Participant) == 1
    assert db.session.execute(select(Vote.value, Participant.user_id).join(
        Participant, Vote.participant_id == Participant.id)).all() == [(-1, user.id)]
