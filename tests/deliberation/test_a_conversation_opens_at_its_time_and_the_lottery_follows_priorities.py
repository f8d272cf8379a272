"""A conversation is open from the instant ``opens_at`` on and closed from the instant
``closes_at`` on; the statement lottery (docs/polis-math.md §10) weighs each statement by its
priority (1 without one, never below 0), is the same for the same seed, and falls back to equal
chances when every priority is 0 (kills run-4 survivors in deliberation.phases, see
bench/mutation-verdicts/deliberation.phases.md)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deliberation.phases import ConversationPhase, Status, pick_statement, status

OPENS = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 5, 31, 18, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
SEEDS = range(300)


def _at(now):
    return status(ConversationPhase.OPEN, opens_at=OPENS, closes_at=CLOSES, now=now)


def test_the_conversation_opens_at_the_very_instant_of_its_opening_time():
    assert _at(OPENS - TICK) is Status.UPCOMING
    assert _at(OPENS) is Status.OPEN


def test_the_conversation_closes_at_the_very_instant_of_its_closing_time():
    assert _at(CLOSES - TICK) is Status.OPEN
    assert _at(CLOSES) is Status.CLOSED


def _picks(candidates, priorities):
    return [pick_statement(candidates, priorities, seed=seed) for seed in SEEDS]


def test_a_statement_of_priority_zero_or_below_is_never_drawn():
    picks = _picks([1, 2, 3], {1: 0.0, 2: 3.0, 3: -2.0})
    assert set(picks) == {2}


def test_a_statement_without_a_priority_weighs_as_much_as_one_of_priority_one():
    unweighted = _picks([1, 2], {})
    assert _picks([1, 2], {1: 1.0}) == unweighted
    assert _picks([1, 2], {1: 1.0, 2: 1.0}) == unweighted
    assert set(unweighted) == {1, 2}


def test_a_higher_priority_is_drawn_more_often():
    picks = _picks([1, 2], {1: 1.0, 2: 4.0})
    assert 0.7 < picks.count(2) / len(picks) < 0.9


def test_when_every_priority_is_zero_each_statement_has_an_equal_chance():
    assert _picks([1, 2], {1: 0.0, 2: 0.0}) == _picks([1, 2], {})


def test_the_same_seed_draws_the_same_statement():
    candidates = list(range(10, 30))
    first = _picks(candidates, {})
    assert _picks(candidates, {}) == first
    assert len(set(first)) > 10
