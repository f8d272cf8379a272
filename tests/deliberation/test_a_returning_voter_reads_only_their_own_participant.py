"""A returning voter's vote looks up only their own participant (and, for a confirmed mailbox,
the one that mailbox left behind): it neither loads every participant of the conversation
(a busy conversation has thousands) nor tries to create the voter again. Kills run-5
survivors of deliberation.service._participant_and_left_behind (see
bench/mutation-verdicts/deliberation.service.md)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from accounts.models import User
from core.db import db
from deliberation import service
from deliberation.models import Participant
from deliberation.service import Who
from tests.deliberation.web_helpers import open_conversation

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _user(email, *, confirmed):
    user = User(email=email, display_name="someone",
                email_confirmed_at=NOW if confirmed else None)
    db.session.add(user)
    db.session.commit()
    return user


def _a_busy_conversation_where(user):
    conversation = open_conversation(texts=["One", "Two"])
    first = conversation.statements[0].id
    for n in range(4):  # other people, with and without an account
        service.cast_vote(conversation.id, first, 1, who=Who(anon_key=f"{n}" * 64), now=NOW)
        service.cast_vote(conversation.id, first, -1,
                          who=Who(user=_user(f"p{n}@example.org", confirmed=True)), now=NOW)
    service.cast_vote(conversation.id, first, 1, who=Who(user=user), now=NOW)
    return conversation


def _second_vote_watched(conversation, user):
    loaded, inserts = [], []

    def on_load(target, _context):
        loaded.append((target.user_id, target.anon_key))

    def on_sql(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO PARTICIPANTS"):
            inserts.append(statement)

    conversation_id, statement_id, user_id = (
        conversation.id, conversation.statements[1].id, user.id)
    db.session.expunge_all()  # nothing cached: every participant read is a load
    user = db.session.get(User, user_id)
    engine = db.engine
    event.listen(Participant, "load", on_load)
    event.listen(engine, "before_cursor_execute", on_sql)
    try:
        service.cast_vote(conversation_id, statement_id, -1, who=Who(user=user), now=NOW)
    finally:
        event.remove(Participant, "load", on_load)
        event.remove(engine, "before_cursor_execute", on_sql)
    return loaded, inserts


@pytest.mark.parametrize("confirmed", [True, False], ids=["confirmed", "unconfirmed"])
def test_a_voters_second_vote_loads_only_their_participant_without_inserting(app, confirmed):
    ana = _user("ana@example.org", confirmed=confirmed)
    conversation = _a_busy_conversation_where(ana)
    ana_id = ana.id
    loaded, inserts = _second_vote_watched(conversation, ana)
    assert loaded == [(ana_id, None)]
    assert inserts == []
