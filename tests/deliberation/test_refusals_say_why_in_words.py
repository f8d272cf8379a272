"""A refused vote or statement tells the person why, in these exact words (the page and the
JSON error show the text): anonymous visitors of a log-in-only conversation are asked to log
in; a conversation that takes no new statements says so (kills run-4 text survivors in
deliberation.service, see bench/mutation-verdicts/deliberation.service.md)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from deliberation import service
from deliberation.models import Participant, Statement, Vote
from tests.deliberation.web_helpers import open_conversation

ANON = service.Who(anon_key="b" * 64)
NOON = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_anonymous_vote_in_a_log_in_only_conversation_asks_to_log_in(app):
    conversation = open_conversation(anonymous=False)
    with pytest.raises(service.NotAllowed) as refused:
        service.cast_vote(conversation.id, conversation.statements[0].id, 1, who=ANON, now=NOON)
    assert str(refused.value) == "Log in to take part in this conversation."
    db.session.rollback()
    assert (_count(Vote), _count(Participant)) == (0, 0)


def test_a_statement_in_a_conversation_without_new_statements_is_refused_in_words(
        app, make_user):
    conversation = open_conversation(participants_can_write=False)
    with pytest.raises(service.NotAllowed) as refused:
        service.write_statement(conversation.id, "One more idea.",
                                who=service.Who(user=make_user()), now=NOON)
    assert str(refused.value) == "This conversation does not take new statements."
    db.session.rollback()
    assert _count(Statement) == len(conversation.statements)


def test_a_vote_before_the_opening_time_is_refused_and_not_stored(app):
    conversation = open_conversation(opens_at=NOON + timedelta(hours=1))
    with pytest.raises(service.NotAllowed) as refused:
        service.cast_vote(conversation.id, conversation.statements[0].id, 1, who=ANON, now=NOON)
    assert str(refused.value) == "This conversation is not open for participation."
    db.session.rollback()
    assert (_count(Vote), _count(Participant)) == (0, 0)


def test_a_conversation_that_is_not_there_is_refused_by_its_id(app):
    conversation = open_conversation()
    with pytest.raises(service.NotFound) as refused:
        service.get_conversation(conversation.id + 1)
    assert refused.value.args == (conversation.id + 1,)
