"""Logging in gives the account the browser's participant of a conversation it never joined
as it is, in that conversation; the account's participant of another conversation is not
touched, so each conversation's vote matrix keeps its own rows (kills the run-4 survivor
deliberation.service.merge_anonymous 11, see bench/mutation-verdicts/deliberation.service.md)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.db import db
from deliberation import service
from deliberation.models import Participant, Vote
from tests.deliberation.web_helpers import open_conversation

KEY = "k" * 64
NOON = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


def test_the_browsers_participant_of_a_new_conversation_becomes_the_accounts_there(
        app, make_user):
    user = make_user()
    joined, new = open_conversation(), open_conversation()
    service.cast_vote(joined.id, joined.statements[0].id, 1, who=service.Who(user=user),
                      now=NOON)
    service.cast_vote(new.id, new.statements[0].id, -1, who=service.Who(anon_key=KEY),
                      now=NOON)
    mine = service.find_participant(joined.id, service.Who(user=user)).id
    browsers = service.find_participant(new.id, service.Who(anon_key=KEY)).id

    assert service.merge_anonymous(user, KEY, now=NOON) == 1

    db.session.expire_all()
    assert db.session.execute(select(
        Participant.id, Participant.conversation_id, Participant.user_id,
        Participant.anon_key).order_by(Participant.id)).all() == [
        (mine, joined.id, user.id, None), (browsers, new.id, user.id, None)]
    assert db.session.execute(select(
        Vote.conversation_id, Vote.participant_id, Vote.value).order_by(Vote.value)).all() == [
        (new.id, browsers, -1), (joined.id, mine, 1)]
