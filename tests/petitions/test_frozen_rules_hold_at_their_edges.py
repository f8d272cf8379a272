"""The numbers a petition keeps for life (FrozenRules) accept every value at their edges (a
response line of 1, a window of 1 day or of exactly ten years) and refuse the first value
past them, a bool or a fraction, each with its reason (issue-15 survivors of
petitions/lifecycle.py `FrozenRules.__post_init__`). Pure: no app, no database."""
from __future__ import annotations

import pytest

from petitions.lifecycle import MAX_DAYS, FrozenRules
from tests.petitions.helpers import SMALL_RULES


@pytest.mark.parametrize("edge", [
    {"response_threshold": 1, "debate_threshold": None},
    {"window_days": 1},
    {"window_days": MAX_DAYS},
    {"response_due_days": MAX_DAYS},
    {"window_days": MAX_DAYS, "response_due_days": MAX_DAYS},
    {"debate_threshold": 5},  # one above the response line (4)
])
def test_values_at_the_edges_are_accepted(edge):
    rules = FrozenRules(**SMALL_RULES | edge)
    assert {name: getattr(rules, name) for name in edge} == edge


@pytest.mark.parametrize("bad", [True, 2.5, -1])
@pytest.mark.parametrize("name", ["sponsor_count", "window_days"])
def test_a_bool_a_fraction_or_a_negative_count_is_refused(name, bad):
    with pytest.raises(ValueError) as refused:
        FrozenRules(**SMALL_RULES | {name: bad})
    assert str(refused.value) == f"{name} must be a non-negative integer, got {bad!r}"


@pytest.mark.parametrize("zero", [{"response_threshold": 0, "debate_threshold": None},
                                  {"window_days": 0}])
def test_a_zero_response_line_or_window_is_refused_with_the_reason(zero):
    with pytest.raises(ValueError) as refused:
        FrozenRules(**SMALL_RULES | zero)
    assert str(refused.value) == "response_threshold and window_days must be at least 1"


@pytest.mark.parametrize("past", [{"window_days": MAX_DAYS + 1},
                                  {"response_due_days": MAX_DAYS + 1}])
def test_one_day_past_ten_years_is_refused(past):
    with pytest.raises(ValueError) as refused:
        FrozenRules(**SMALL_RULES | past)
    assert str(refused.value) == \
        f"window_days and response_due_days must be at most {MAX_DAYS}"


@pytest.mark.parametrize("debate_threshold", [4, 3])
def test_a_debate_line_not_above_the_response_line_is_refused(debate_threshold):
    with pytest.raises(ValueError) as refused:
        FrozenRules(**SMALL_RULES | {"debate_threshold": debate_threshold})
    assert str(refused.value) == "debate_threshold must exceed response_threshold"
