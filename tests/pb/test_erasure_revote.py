"""Delete the account, register again with the same mailbox, vote again (issue 13 finding 4,
for ballots): the erased ballot keeps a keyed hash of the mailbox, and the new account's
ballot replaces it while voting is open, so one mailbox never counts twice. On SQLite and
PostgreSQL (the replacement is a DELETE + upsert in one transaction)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts import service as accounts
from accounts.models import User
from core.db import db
from pb import privacy, voting
from pb.models import Ballot
from tests.helpers import in_parallel
from tests.pb.helpers import T0
from tests.petitions.helpers import app_on_sqlite_and_postgresql

app = app_on_sqlite_and_postgresql  # the pb fixtures run on both databases

PASSWORD = "correct horse battery staple"
DURING_VOTE = T0 + timedelta(days=1)


def _register(email):
    user = User(email=email, display_name="again", email_confirmed_at=T0)
    db.session.add(user)
    db.session.commit()
    return user


def _ballots(process_id):
    db.session.expire_all()
    return sorted(db.session.execute(select(Ballot.voter_key, Ballot.vote).where(
        Ballot.process_id == process_id)).all())


def _delete(user):
    user.set_password(PASSWORD)
    db.session.commit()
    accounts.delete_account(user, password=PASSWORD)


@pytest.mark.parametrize("again", ["cit@example.org", "Cit+pb@EXAMPLE\u3002org"])
def test_a_deleted_voter_who_registers_again_replaces_the_old_ballot(people, make_process,
                                                                     again):
    process = make_process("approval", max_projects=2)
    voting.cast(process.id, {"project": ["1", "3"]}, now=DURING_VOTE, user=people["citizen"])
    voting.cast(process.id, {"project": ["2"]}, now=DURING_VOTE, user=people["other"])
    _delete(people["citizen"])
    assert sorted(v for _k, v in _ballots(process.id)) == ["1,3", "2"]  # no count changes

    newcomer = _register(again)
    receipt = voting.cast(process.id, {"project": ["4"]}, now=DURING_VOTE, user=newcomer)
    voting.cast(process.id, {"project": ["2", "4"]}, now=DURING_VOTE, user=newcomer)

    rows = _ballots(process.id)
    assert len(rows) == 2  # one ballot per mailbox: the new one replaced the erased one
    assert sorted(v for _k, v in rows) == ["2", "2,4"]
    assert f"u{newcomer.id}" in {k for k, _v in rows}
    assert voting.lookup_receipt(receipt)[0].vote == "2,4"


def test_deleting_again_and_again_still_counts_one_ballot(people, make_process):
    process = make_process("approval", max_projects=2)
    user = people["citizen"]
    for round_ in range(3):
        voting.cast(process.id, {"project": [str(round_ + 1)]}, now=DURING_VOTE, user=user)
        _delete(user)
        assert db.session.scalar(select(func.count(Ballot.id))) == 1
        user = _register("cit@example.org")
    keys = [k for k, _v in _ballots(process.id)]
    assert keys == [privacy.mailbox_key("cit@example.org")]  # no account, no random key


def test_another_mailbox_or_a_closed_vote_leaves_the_erased_ballot(people, make_process):
    process = make_process("approval", max_projects=2)
    voting.cast(process.id, {"project": ["1"]}, now=DURING_VOTE, user=people["citizen"])
    _delete(people["citizen"])
    stranger = _register("citizen@example.org")  # a different mailbox
    voting.cast(process.id, {"project": ["2"]}, now=DURING_VOTE, user=stranger)
    assert sorted(v for _k, v in _ballots(process.id)) == ["1", "2"]
    newcomer = _register("cit@example.org")
    with pytest.raises(voting.VotingClosed):  # after voting: refused, the old ballot stays
        voting.cast(process.id, {"project": ["3"]}, now=T0 + timedelta(days=15),
                    user=newcomer)
    assert sorted(v for _k, v in _ballots(process.id)) == ["1", "2"]


def test_two_accounts_of_one_mailbox_deleted_keep_both_ballots(people, make_process):
    """Deletion itself never changes a count, even when the mailbox already left a ballot."""
    process = make_process("approval", max_projects=2)
    twin = _register("cit+x@example.org")  # another account, the same mailbox
    voting.cast(process.id, {"project": ["1"]}, now=DURING_VOTE, user=people["citizen"])
    voting.cast(process.id, {"project": ["2"]}, now=DURING_VOTE, user=twin)
    _delete(people["citizen"])
    _delete(twin)
    assert sorted(v for _k, v in _ballots(process.id)) == ["1", "2"]


def test_an_unconfirmed_account_cannot_remove_the_erased_ballot(people, make_process):
    """Anyone may type someone's address at registration: until it is confirmed, the
    account casts no ballot (pb.voting.needs_confirmation) and the erased one stays counted."""
    process = make_process("approval", max_projects=2)
    voting.cast(process.id, {"project": ["1"]}, now=DURING_VOTE, user=people["citizen"])
    _delete(people["citizen"])
    impostor = _register("cit@example.org")
    impostor.email_confirmed_at = None
    db.session.commit()
    with pytest.raises(voting.NotEligible):
        voting.cast(process.id, {"project": ["2"]}, now=DURING_VOTE, user=impostor)
    assert sorted(v for _k, v in _ballots(process.id)) == ["1"]


def test_fifty_parallel_ballots_of_the_returning_voter_leave_one(app, people, make_process):
    process = make_process("approval", max_projects=2)
    voting.cast(process.id, {"project": ["1"]}, now=DURING_VOTE, user=people["citizen"])
    _delete(people["citizen"])
    newcomer_id, process_id = _register("cit@example.org").id, process.id

    def vote(_client, i):
        with app.app_context():
            user = db.session.get(User, newcomer_id)
            try:
                return voting.cast(process_id, {"project": [str(i % 4 + 1)]},
                                   now=DURING_VOTE, user=user)
            finally:
                db.session.remove()

    in_parallel(app, vote)
    rows = _ballots(process.id)
    assert [k for k, _v in rows] == [f"u{newcomer_id}"]
