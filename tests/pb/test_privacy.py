"""Account deletion and the anonymisation job detach ballots from voters without changing a
count or an outcome (issue 13 "Privacy"): the ballot rows stay, one per voter, under a
random key that leads nobody back to the person."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts import service as accounts
from core.db import db
from pb import privacy, results, voting
from pb.models import Ballot, BudgetProject, EligibleVoter
from pb.phases import Phase
from tests.pb.helpers import T0

PASSWORD = "correct horse battery staple"
DURING_VOTE = T0 + timedelta(days=1)


def _outcome(process_id):
    """What the public sees: the funded projects, their cost, the ballot count and the
    profile the rule ran on (each ballot's choice, order-free)."""
    result = results.compute(process_id, now=DURING_VOTE)
    process = db.session.get(results.BudgetProcess, process_id)
    _instance, profile = results.election(process)
    return (list(result.selected), result.cost, result.ballot_count,
            sorted(repr(profile.distinct[i]) for i in profile.ballot_index))


def _keys(process_id):
    db.session.expire_all()
    return db.session.scalars(select(Ballot.voter_key).where(
        Ballot.process_id == process_id).order_by(Ballot.id)).all()


@pytest.fixture
def voted(people, make_process):
    """An approval vote with three ballots: the citizen's, another account's, a code's."""
    process = make_process("approval", max_projects=2)
    voting.set_eligible_emails(process.id, "cit@example.org\nother@example.org",
                               actor=people["official"], now=T0)
    citizen = people["citizen"]
    citizen.set_password(PASSWORD)
    db.session.add(BudgetProject(process_id=process.id, project_id="9", name="Mural",
                                 cost=500, proposer_id=citizen.id))
    db.session.commit()
    receipt = voting.cast(process.id, {"project": ["1", "3"]}, now=DURING_VOTE, user=citizen)
    voting.cast(process.id, {"project": ["1", "2"]}, now=DURING_VOTE, user=people["other"])
    code = voting.generate_codes(process.id, 1, actor=people["official"], now=T0)[0]
    voting.cast(process.id, {"project": ["4"]}, now=DURING_VOTE, code=code)
    return process, receipt


def test_deleting_an_account_that_voted_changes_no_count_or_outcome(people, voted):
    process, receipt = voted
    citizen = people["citizen"]
    before = _outcome(process.id)
    assert f"u{citizen.id}" in _keys(process.id)

    accounts.delete_account(citizen, password=PASSWORD)

    assert _outcome(process.id) == before
    keys = _keys(process.id)
    assert len(keys) == 3 and len(set(keys)) == 3  # one row per voter, still unique
    assert f"u{citizen.id}" not in keys
    assert sum(k.startswith(privacy.ANONYMOUS_PREFIX) for k in keys) == 1
    assert f"u{people['other'].id}" in keys  # nobody else is touched
    ballot, _process, _counted = voting.lookup_receipt(receipt)  # the voter's receipt works
    assert ballot.vote == "1,3"
    assert voting.current_choice(process.id, f"u{citizen.id}") is None
    assert db.session.scalar(select(BudgetProject.proposer_id)
                             .where(BudgetProject.project_id == "9")) is None
    assert db.session.scalars(select(EligibleVoter.email)).all() == ["other@example.org"]


def test_the_anonymise_job_detaches_every_ballot_after_the_vote_closed(people, voted):
    process, receipt = voted
    before = _outcome(process.id)
    process.move_to(Phase.RESULTS, now=T0 + timedelta(days=14))
    db.session.commit()
    closed = process.closed_at or process.results_at

    assert privacy.anonymise(now=closed + timedelta(days=29), after_days=30) == []
    assert sum(k.startswith(privacy.ANONYMOUS_PREFIX) for k in _keys(process.id)) == 0

    assert privacy.anonymise(now=closed + timedelta(days=31), after_days=30) == [process.id]
    keys = _keys(process.id)
    assert len(set(keys)) == 3 and all(k.startswith(privacy.ANONYMOUS_PREFIX) for k in keys)
    assert _outcome(process.id) == before
    assert db.session.scalar(select(EligibleVoter.id)) is None
    assert db.session.scalar(select(BudgetProject.proposer_id)
                             .where(BudgetProject.proposer_id.is_not(None))) is None
    assert voting.lookup_receipt(receipt) is not None
    # Idempotent: a second run finds nothing left, and keeps the keys it gave.
    assert privacy.anonymise(now=closed + timedelta(days=40), after_days=30) == []
    assert _keys(process.id) == keys
    with pytest.raises(ValueError):
        privacy.anonymise(now=closed, after_days=-1)


def test_the_anonymise_command(people, voted, runner):
    process, _receipt = voted
    process.move_to(Phase.RESULTS, now=T0 + timedelta(days=14))
    db.session.commit()
    output = runner.invoke(args=["budgets", "anonymise", "--after-days", "0"]).output
    assert "anonymised 1 process(es)" in output
