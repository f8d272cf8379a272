"""A batch of voter codes is stored with its time and audited, an eligibility list admits only
to its own process, and a refused ballot names its problems (killed issue-15 mutation
survivors in pb/voting.py `generate_codes`, `is_eligible`, `InvalidBallot`)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from pb import voting
from pb.ballots import Problem
from pb.models import VoterCode
from tests.pb.helpers import T0

NOW = T0.replace(day=3)


def test_a_batch_is_stored_with_its_time_and_audited(app, people, make_process):
    process = make_process("approval")
    official = people["official"]
    codes = voting.generate_codes(process.id, 3, actor=official, now=NOW)
    rows = db.session.execute(select(VoterCode.code, VoterCode.process_id, VoterCode.created_at)
                              .order_by(VoterCode.code)).all()
    assert rows == [(c, process.id, NOW) for c in sorted(codes)]
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "budget.codes")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.at, entry.details) == (
        official.id, "budget_process", str(process.id), NOW, {"count": 3})


def test_codes_for_an_unknown_process_name_it(app, people):
    with pytest.raises(voting.NotFound) as missing:
        voting.generate_codes(4242, 1, actor=people["official"], now=NOW)
    assert missing.value.args == (4242,)


def test_a_list_admits_only_to_its_own_process(app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    official, citizen = people["official"], people["citizen"]
    voting.set_eligible_emails(first.id, citizen.email, actor=official, now=NOW)
    voting.set_eligible_emails(second.id, "someone@example.org", actor=official, now=NOW)
    assert voting.is_eligible(first, citizen)
    assert not voting.is_eligible(second, citizen)


def test_a_refused_ballot_names_its_problems():
    error = voting.InvalidBallot([Problem("too_many", {}), Problem("over_budget", {})])
    assert str(error) == "too_many; over_budget"
    assert [p.code for p in error.problems] == ["too_many", "over_budget"]
