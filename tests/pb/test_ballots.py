"""Ballot rules and per-vote-type validation (pb/ballots.py, pure)."""
from __future__ import annotations

import pytest

from pb.ballots import BallotRules, Choice, RulesError, check_choice, decode, read_choice

COSTS = {"1": 40, "2": 30, "3": 20, "4": 10}


def codes(rules, choice, budget=60):
    return [p.code for p in check_choice(rules, choice, costs=COSTS, budget=budget)]


def test_approval_min_max_and_unknown():
    rules = BallotRules("approval", min_projects=1, max_projects=2)
    assert codes(rules, Choice(("1", "2"))) == []
    assert codes(rules, Choice(())) == ["too_few"]
    assert codes(rules, Choice(("1", "2", "3"))) == ["too_many"]
    assert codes(rules, Choice(("1", "99"))) == ["unknown_project"]
    assert codes(rules, Choice(("1", "1"))) == ["repeated"]


def test_knapsack_budget_and_minimum_share():
    rules = BallotRules("knapsack", min_share_spent=50)
    assert codes(rules, Choice(("1", "3"))) == []
    assert codes(rules, Choice(("1", "2"))) == ["over_budget"]
    assert codes(rules, Choice(("4",))) == ["under_min_share"]


def test_cumulative_points():
    rules = BallotRules("cumulative", points_total=5, max_points_per_project=3)
    choice, problems = read_choice(rules, {"points-1": ["3"], "points-2": ["2"], "points-3": [""]})
    assert problems == [] and choice == Choice(("1", "2"), (3, 2))
    assert codes(rules, choice) == []
    assert codes(rules, Choice(("1", "2"), (3, 3))) == ["too_many_points"]
    assert codes(rules, Choice(("1",), (4,))) == ["over_max_per_project"]
    _, problems = read_choice(rules, {"points-1": ["-2"]})
    assert [p.code for p in problems] == ["negative"]
    _, problems = read_choice(rules, {"points-1": ["lots"]})
    assert [p.code for p in problems] == ["not_a_number"]


def test_ordinal_ranks():
    rules = BallotRules("ordinal", rank_limit=2)
    choice, problems = read_choice(rules, {"rank-3": ["1"], "rank-1": ["2"], "rank-2": [""]})
    assert choice == Choice(("3", "1")) and problems == []
    _, problems = read_choice(rules, {"rank-3": ["1"], "rank-1": ["3"]})
    assert [p.code for p in problems] == ["ranks_not_consecutive"]
    assert codes(rules, Choice(("1", "2", "3"))) == ["too_many"]


def test_rules_that_contradict_themselves_are_refused():
    with pytest.raises(RulesError):
        BallotRules("cumulative")
    with pytest.raises(RulesError):
        BallotRules("ordinal", rule="phragmen")
    with pytest.raises(RulesError):
        BallotRules("approval", min_projects=3, max_projects=2)


def test_encode_decode_round_trip():
    choice = Choice(("1", "2"), (3, 2))
    assert decode(*choice.encode()) == choice
    assert decode(*Choice(("4",)).encode()) == Choice(("4",))
