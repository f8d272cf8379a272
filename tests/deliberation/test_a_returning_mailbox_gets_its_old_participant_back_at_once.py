"""A person who deleted their account, registers again with the same (confirmed) mailbox and
votes gets back the very participant they had, with its id and number, at that first vote:
not a new participant that a later vote would merge (kills run-4 survivors of
deliberation.service._take_back/_ensure_participant, see
bench/mutation-verdicts/deliberation.service.md). Another conversation's left-behind
participant of the same mailbox stays where it is until the person votes there."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from accounts import service as accounts
from core.db import db
from deliberation import privacy, service
from deliberation.models import Participant, Vote
from deliberation.service import Who
from tests.deliberation.helpers import PASSWORD, registered
from tests.deliberation.web_helpers import open_conversation

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _register(email):
    return registered(email, confirmed_at=NOW)


def _rows():
    db.session.expire_all()
    return db.session.execute(select(
        Participant.conversation_id, Participant.id, Participant.number, Participant.user_id,
        Participant.mailbox_key).order_by(Participant.id)).all()


def test_the_first_vote_after_registering_again_takes_the_old_participant_back(app):
    first = open_conversation(texts=["One", "Two"])
    second = open_conversation(texts=["Three"])
    bob = _register("bob@example.org")
    service.cast_vote(first.id, first.statements[0].id, -1, who=Who(user=bob), now=NOW)
    ana = _register("ana@example.org")
    for conversation in (first, second):
        service.cast_vote(conversation.id, conversation.statements[0].id, 1,
                          who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    key = privacy.mailbox_key("ana@example.org")
    (_, bob_id, _, _, _), (_, old_id, old_number, _, _), (_, other_id, _, _, _) = _rows()

    again = _register("ana@example.org")
    later = NOW + timedelta(minutes=5)
    service.cast_vote(first.id, first.statements[1].id, 1, who=Who(user=again), now=later)

    assert _rows() == [(first.id, bob_id, 0, bob.id, None),
                       (first.id, old_id, old_number, again.id, None),
                       (second.id, other_id, 0, None, key)]
    assert sorted(db.session.execute(select(Vote.participant_id, Vote.value)).all()) == sorted(
        [(bob_id, -1), (old_id, 1), (old_id, 1), (other_id, 1)])


def test_a_vote_here_leaves_the_mailboxs_participant_of_another_conversation_alone(app):
    first = open_conversation(texts=["One", "Two"])
    second = open_conversation(texts=["Three"])
    ana = _register("ana@example.org")
    service.cast_vote(second.id, second.statements[0].id, 1, who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    key = privacy.mailbox_key("ana@example.org")
    ((_, left_id, _, _, _),) = _rows()

    again = _register("ana@example.org")
    for statement in first.statements:  # a newcomer here, then a participant of its own
        service.cast_vote(first.id, statement.id, -1, who=Who(user=again), now=NOW)

    (_, mine, _, _, _) = _rows()[1]
    assert _rows() == [(second.id, left_id, 0, None, key), (first.id, mine, 0, again.id, None)]
    assert sorted(db.session.execute(select(Vote.participant_id, Vote.value)).all()) == [
        (left_id, 1), (mine, -1), (mine, -1)]


def test_the_taken_back_participant_is_this_conversations_not_an_older_one_elsewhere(app):
    elsewhere = open_conversation(texts=["Four"])
    here = open_conversation(texts=["Five", "Six"])
    browser = "c" * 64  # the person voted anonymously before their account existed
    service.cast_vote(elsewhere.id, elsewhere.statements[0].id, 1,
                      who=Who(anon_key=browser), now=NOW)
    ana = _register("ana@example.org")
    service.cast_vote(here.id, here.statements[0].id, 1, who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    again = _register("ana@example.org")
    service.merge_anonymous(again, browser, now=NOW)
    (_, browsers, _, _, _), (_, old_id, _, _, _) = _rows()

    service.cast_vote(here.id, here.statements[1].id, -1, who=Who(user=again), now=NOW)

    assert _rows() == [(elsewhere.id, browsers, 0, again.id, None),
                       (here.id, old_id, 0, again.id, None)]
    assert sorted(db.session.execute(select(
        Vote.conversation_id, Vote.participant_id, Vote.value)).all()) == sorted([
        (elsewhere.id, browsers, 1), (here.id, old_id, 1), (here.id, old_id, -1)])
