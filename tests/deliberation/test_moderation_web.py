"""Writing statements (closest existing ones first) and moderating them; who may do what."""
from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEntry
from core.roles import Role
from deliberation.models import Conversation, Statement

from .web_helpers import open_conversation


def test_similar_statements_are_shown_before_sending(client, db):
    conversation = open_conversation()
    url = f"/conversations/{conversation.id}/write"
    assert client.get(url).status_code == 200
    first = client.post(url, data={"text": "More trees in the parks"})
    assert first.status_code == 200 and "Similar statements already exist" in first.text
    assert "More trees in the park." in first.text
    assert db.session.scalar(select(Statement).where(Statement.moderation == 0)) is None
    sent = client.post(url, data={"text": "More trees in the parks", "confirmed": "True"})
    assert "Thank you for your statement" in sent.text
    new = db.session.scalar(select(Statement).where(Statement.moderation == 0))
    assert new.text == "More trees in the parks" and new.state == "new"
    assert new.author_participant_id is not None


def test_a_distinct_statement_goes_straight_to_the_queue(client, db):
    conversation = open_conversation()
    sent = client.post(f"/conversations/{conversation.id}/write",
                       data={"text": "Benches at every bus stop"})
    assert "Thank you for your statement" in sent.text


def test_too_long_empty_or_not_allowed_statements_are_refused(client, db):
    conversation = open_conversation(statement_max_length=30)
    url = f"/conversations/{conversation.id}/write"
    assert client.post(url, data={"text": "x" * 31, "confirmed": "True"}).status_code == 400
    assert client.post(url, data={"text": "   ", "confirmed": "True"}).status_code == 400
    conversation.participants_can_write = False
    db.session.commit()
    refused = client.post(url, data={"text": "Short", "confirmed": "True"})
    assert refused.status_code == 400 and "does not take new statements" in refused.text
    assert db.session.scalar(select(Statement).where(Statement.moderation == 0)) is None


def queue_two(db, conversation):
    new = [Statement(conversation_id=conversation.id, text=t) for t in ("New A", "New B")]
    db.session.add_all(new)
    db.session.commit()
    return [s.id for s in new]


def test_moderators_accept_reject_and_mark_meta_in_bulk_with_audit(client, db, make_user,
                                                                  login_as):
    moderator = make_user(roles=(Role.MODERATOR,))
    conversation = open_conversation()
    a, b = queue_two(db, conversation)
    login_as(client, moderator)
    url = f"/conversations/{conversation.id}/moderation"
    page = client.get(url)
    assert page.status_code == 200 and "New A" in page.text and "New B" in page.text
    done = client.post(url, data={"statements": [a, b], "action": "rejected",
                                  "reason": "off topic"})
    assert done.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Statement, i).state for i in (a, b)] == ["rejected", "rejected"]
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "statement.rejected")).all()
    assert len(entries) == 2 and entries[0].details["reason"] == "off topic"
    client.post(url, data={"statements": [a], "action": "meta"})
    db.session.expire_all()
    assert db.session.get(Statement, a).state == "meta"
    # rejected statements leave voting but are kept
    assert db.session.get(Statement, b) is not None
    assert "New B" not in client.get(f"/conversations/{conversation.id}").text


def test_bad_moderation_input_is_refused(client, db, make_user, login_as):
    conversation = open_conversation()
    a, _b = queue_two(db, conversation)
    login_as(client, make_user(roles=(Role.MODERATOR,)))
    url = f"/conversations/{conversation.id}/moderation"
    assert client.post(url, data={"statements": [a], "action": "banana"}).status_code == 400
    assert client.post(url, data={"action": "accepted"}).status_code == 400
    assert client.post(url, data={"statements": [99999], "action": "accepted"}
                       ).status_code == 400
    db.session.expire_all()
    assert db.session.get(Statement, a).state == "new"


def test_non_facilitators_get_403_on_moderation_and_administration(client, db, make_user,
                                                                   login_as):
    owner = make_user(roles=(Role.FACILITATOR,))
    conversation = open_conversation(owner)
    a, _b = queue_two(db, conversation)
    cid = conversation.id
    for roles in ((), (Role.OFFICIAL,), (Role.FACILITATOR,)):  # last: not this one's owner
        login_as(client, make_user(roles=roles))
        assert client.get(f"/conversations/{cid}/moderation").status_code == 403
        assert client.post(f"/conversations/{cid}/moderation",
                           data={"statements": [a], "action": "accepted"}).status_code == 403
        assert client.get(f"/conversations/{cid}/edit").status_code == 403
        assert client.post(f"/conversations/{cid}/phase", data={"phase": "closed"}
                           ).status_code == 403
    login_as(client, make_user())
    assert client.get("/conversations/new").status_code == 403
    assert client.get("/conversations/import").status_code == 403
    db.session.expire_all()
    assert db.session.get(Statement, a).state == "new"
    assert db.session.get(Conversation, cid).phase == "open"
    login_as(client, owner)  # the conversation's own facilitator may moderate
    assert client.post(f"/conversations/{cid}/moderation",
                       data={"statements": [a], "action": "accepted"}).status_code == 302
