"""Delete the account, register again with the same mailbox, vote again (issue 13 finding 4,
for conversations): the erased participant keeps a keyed hash of the mailbox, and the new
account takes it back (or merges into its own, the latest vote winning), so one person
is one row of the vote matrix. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts import service as accounts
from accounts.models import User
from core.db import db
from deliberation import privacy, service
from deliberation.models import Participant, Vote
from deliberation.service import Who
from tests.deliberation.helpers import PASSWORD, registered
from tests.helpers import in_parallel
from tests.petitions.helpers import app_on_sqlite_and_postgresql

from .web_helpers import open_conversation

app = app_on_sqlite_and_postgresql  # each test runs on SQLite, then on PostgreSQL

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _register(email, *, confirmed=True):
    return registered(email, confirmed_at=NOW if confirmed else None)


def _votes():
    db.session.expire_all()
    return sorted(db.session.execute(select(Vote.participant_id, Vote.statement_id, Vote.value))
                  .all())


def _participants():
    return db.session.scalar(select(func.count()).select_from(Participant))


@pytest.mark.parametrize("again", ["ana@example.org", "Ana+x@EXAMPLE\u3002org"])
def test_registering_again_takes_the_old_participant_back(app, again):
    conversation = open_conversation(texts=["One", "Two", "Three"])
    one, two, three = (s.id for s in conversation.statements)
    ana = _register("ana@example.org")
    service.cast_vote(conversation.id, one, 1, who=Who(user=ana), now=NOW)
    service.cast_vote(conversation.id, two, -1, who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    assert _participants() == 1 and len(_votes()) == 2  # deletion changes nothing counted

    again = _register(again)
    later = NOW + timedelta(minutes=5)
    service.cast_vote(conversation.id, two, 1, who=Who(user=again), now=later)
    service.cast_vote(conversation.id, three, 0, who=Who(user=again), now=later)
    assert _participants() == 1  # still one person
    mine = service.find_participant(conversation.id, Who(user=again))
    assert [(s, v) for p, s, v in _votes() if p == mine.id] == [(one, 1), (two, 1), (three, 0)]
    assert db.session.get(Participant, mine.id).mailbox_key is None


def test_an_account_that_already_takes_part_merges_latest_wins(app):
    """The person voted anonymously after deleting the account, then registered: that
    browser's participant became the account's; the erased one merges into it."""
    conversation = open_conversation(texts=["One", "Two"])
    one, two = (s.id for s in conversation.statements)
    ana = _register("ana@example.org")
    service.cast_vote(conversation.id, one, 1, who=Who(user=ana), now=NOW)
    service.cast_vote(conversation.id, two, 1, who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    browser = Who(anon_key=f"{7:064x}")
    service.cast_vote(conversation.id, one, -1, who=browser,
                      now=NOW + timedelta(minutes=1))
    again = _register("ana@example.org")
    service.merge_anonymous(again, browser.anon_key, now=NOW + timedelta(minutes=2))
    assert _participants() == 2  # not yet voted since: nothing merged

    service.cast_vote(conversation.id, one, 0, who=Who(user=again),
                      now=NOW + timedelta(minutes=3))
    assert _participants() == 1
    mine = service.find_participant(conversation.id, Who(user=again))
    assert [(s, v) for p, s, v in _votes() if p == mine.id] == [(one, 0), (two, 1)]


def test_another_mailbox_or_an_unconfirmed_account_gets_a_new_participant(app):
    conversation = open_conversation(texts=["One"])
    one = conversation.statements[0].id
    ana = _register("ana@example.org")
    service.cast_vote(conversation.id, one, 1, who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    key = privacy.mailbox_key("ana@example.org")
    service.cast_vote(conversation.id, one, -1, who=Who(user=_register("bob@example.org")),
                      now=NOW)
    impostor = _register("ana@example.org", confirmed=False)  # has not proved the mailbox
    service.cast_vote(conversation.id, one, -1, who=Who(user=impostor), now=NOW)
    assert _participants() == 3
    assert db.session.scalar(select(Participant.id).where(
        Participant.mailbox_key == key)) is not None  # still left behind, untouched
    assert sorted(v for _p, _s, v in _votes()) == [-1, -1, 1]


def test_an_unconfirmed_accounts_votes_are_not_merged_into_the_mailboxs_owner(app):
    """Someone registers with Ana's address, votes without confirming and deletes the
    account; when Ana registers and confirms, those votes are not hers."""
    conversation = open_conversation(texts=["One", "Two"])
    one, two = (s.id for s in conversation.statements)
    impostor = _register("ana@example.org", confirmed=False)
    service.cast_vote(conversation.id, one, -1, who=Who(user=impostor), now=NOW)
    accounts.delete_account(impostor, password=PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.mailbox_key.is_not(None))) == 0
    ana = _register("ana@example.org")
    service.cast_vote(conversation.id, two, 1, who=Who(user=ana),
                      now=NOW + timedelta(minutes=1))
    assert _participants() == 2  # the impostor's participant stays apart, still counted
    mine = service.find_participant(conversation.id, Who(user=ana))
    assert [(s, v) for p, s, v in _votes() if p == mine.id] == [(two, 1)]


def test_two_accounts_of_one_mailbox_deleted_change_no_count(app):
    conversation = open_conversation(texts=["One"])
    one = conversation.statements[0].id
    for email in ("ana@example.org", "ana+twin@example.org"):
        service.cast_vote(conversation.id, one, 1, who=Who(user=_register(email)), now=NOW)
    for user in db.session.scalars(select(User)).all():
        accounts.delete_account(user, password=PASSWORD)
    assert _participants() == 2 and len(_votes()) == 2


def test_fifty_parallel_first_votes_of_the_returning_person_keep_one_participant(app):
    conversation = open_conversation(texts=["One", "Two"])
    one, two = (s.id for s in conversation.statements)
    ana = _register("ana@example.org")
    service.cast_vote(conversation.id, one, 1, who=Who(user=ana), now=NOW)
    accounts.delete_account(ana, password=PASSWORD)
    again_id, conversation_id = _register("ana@example.org").id, conversation.id

    def vote(_client, i):
        with app.app_context():
            user = db.session.get(User, again_id)
            try:
                service.cast_vote(conversation_id, two, (-1, 1)[i % 2], who=Who(user=user),
                                  now=NOW + timedelta(seconds=1))
            finally:
                db.session.remove()

    in_parallel(app, vote)
    assert _participants() == 1
    assert [(s, v) for _p, s, v in _votes()][0] == (one, 1) and len(_votes()) == 2
