"""Budget phases: the transition table, dated moves and "what happens next" (pb/phases.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pb.phases import InvalidTransition, Phase, Schedule, check, due_phase, next_step

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)
FULL = Schedule(proposals=T0, review=T0 + 10 * DAY, voting=T0 + 20 * DAY,
                results=T0 + 30 * DAY, implementation=T0 + 40 * DAY)


@pytest.mark.parametrize("current,target", [
    (Phase.DRAFT, Phase.PROPOSALS), (Phase.DRAFT, Phase.VOTING), (Phase.PROPOSALS, Phase.VOTING),
    (Phase.REVIEW, Phase.VOTING), (Phase.VOTING, Phase.RESULTS),
    (Phase.RESULTS, Phase.IMPLEMENTATION)])
def test_allowed_moves(current, target):
    check(current, target)


@pytest.mark.parametrize("current,target", [
    (Phase.VOTING, Phase.PROPOSALS), (Phase.DRAFT, Phase.RESULTS), (Phase.RESULTS, Phase.VOTING),
    (Phase.REVIEW, Phase.RESULTS), (Phase.IMPLEMENTATION, Phase.RESULTS)])
def test_refused_moves_name_the_current_phase(current, target):
    with pytest.raises(InvalidTransition, match=f"from {current}"):
        check(current, target)


def test_due_phase_follows_the_clock_and_never_goes_back():
    assert due_phase(Phase.PROPOSALS, FULL, now=T0 + 5 * DAY) is Phase.PROPOSALS
    assert due_phase(Phase.PROPOSALS, FULL, now=T0 + 10 * DAY) is Phase.REVIEW
    assert due_phase(Phase.PROPOSALS, FULL, now=T0 + 31 * DAY) is Phase.RESULTS
    assert due_phase(Phase.RESULTS, FULL, now=T0) is Phase.RESULTS
    assert due_phase(Phase.DRAFT, FULL, now=T0 + 50 * DAY) is Phase.DRAFT


def test_skipped_phases_are_jumped():
    skip_review = Schedule(proposals=T0, voting=T0 + 20 * DAY, results=T0 + 30 * DAY)
    assert due_phase(Phase.PROPOSALS, skip_review, now=T0 + 21 * DAY) is Phase.VOTING
    assert next_step(Phase.PROPOSALS, skip_review) == (Phase.VOTING, T0 + 20 * DAY)
    assert next_step(Phase.RESULTS, skip_review) == (Phase.IMPLEMENTATION, None)
    assert next_step(Phase.IMPLEMENTATION, skip_review) is None


def test_schedule_problems():
    assert FULL.problems() == []
    assert Schedule(voting=T0, results=T0).problems() == ["results"]
    assert Schedule(voting=T0).problems() == ["results"]
