"""A draft budget process has no start date of its own, and its next step is the first phase
the schedule dates, or proposals when nothing is dated (kills run-4 survivors in pb.phases,
see bench/mutation-verdicts/pb.phases.md)."""
from __future__ import annotations

from datetime import UTC, datetime

from pb.phases import Phase, Schedule, next_step

VOTING = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
RESULTS = datetime(2026, 9, 30, 20, 0, tzinfo=UTC)


def test_a_draft_has_no_start_date():
    assert Schedule(proposals=VOTING, voting=VOTING, results=RESULTS).start_of(
        Phase.DRAFT) is None


def test_a_drafts_next_step_is_the_first_dated_phase():
    assert next_step(Phase.DRAFT, Schedule(voting=VOTING, results=RESULTS)) == (
        Phase.VOTING, VOTING)


def test_an_undated_drafts_next_step_is_proposals():
    assert next_step(Phase.DRAFT, Schedule()) == (Phase.PROPOSALS, None)
