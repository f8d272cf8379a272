"""A voter code votes only as itself: a made-up code is refused while other codes are unused,
spending one code leaves the others usable; a ballot keeps when it was first cast and says it
came online; a refusal to an account says why (killed issue-15 mutation survivors in
pb/voting.py `cast` and `NotEligible`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from pb import voting
from pb.models import Ballot, VoterCode
from tests.pb.helpers import T0, ballots

NOW = T0.replace(day=3)


def _unused(process_id):
    db.session.expire_all()
    return set(db.session.scalars(select(VoterCode.code).where(
        VoterCode.process_id == process_id, VoterCode.used_at.is_(None))))


def test_a_made_up_code_is_refused_while_real_ones_are_unused(app, people, make_process):
    process = make_process("approval")
    codes = voting.generate_codes(process.id, 2, actor=people["official"], now=NOW)
    with pytest.raises(voting.CodeUnusable) as refused:
        voting.cast(process.id, {"project": ["1"]}, now=NOW, code="NOPE-NOPE")
    assert refused.value.args == ("NOPE-NOPE",)
    db.session.rollback()
    assert ballots(process.id) == 0
    assert _unused(process.id) == {voting.normalise_code(c) for c in codes}


def test_spending_one_code_leaves_the_others_usable(app, people, make_process):
    process = make_process("approval")
    first, second = voting.generate_codes(process.id, 2, actor=people["official"], now=NOW)
    voting.cast(process.id, {"project": ["1"]}, now=NOW, code=first)
    assert _unused(process.id) == {voting.normalise_code(second)}
    voting.cast(process.id, {"project": ["2"]}, now=NOW, code=second)
    assert ballots(process.id) == 2


def test_a_changed_ballot_keeps_when_it_was_first_cast(app, people, make_process):
    process = make_process("approval")
    citizen = people["citizen"]
    later = NOW + timedelta(hours=2)
    voting.cast(process.id, {"project": ["1"]}, now=NOW, user=citizen)
    voting.cast(process.id, {"project": ["2"]}, now=later, user=citizen)
    db.session.expire_all()
    ballot = db.session.scalar(select(Ballot).where(Ballot.process_id == process.id))
    assert (ballot.voter_key, ballot.channel, ballot.cast_at, ballot.updated_at) == \
        (f"u{citizen.id}", "online", NOW, later)


def test_voting_without_an_account_or_code_is_refused_as_not_on_the_list(app, make_process):
    process = make_process("approval")
    with pytest.raises(voting.NotEligible) as refused:
        voting.cast(process.id, {"project": ["1"]}, now=NOW)
    assert refused.value.args == (process.id, "list")
    assert refused.value.reason == "list"
    db.session.rollback()
    assert ballots(process.id) == 0
