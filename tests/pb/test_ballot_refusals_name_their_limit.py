"""A ballot is refused exactly at its limits, each refusal says which limit, and the
pabulib constraints written for a process match its vote type (pb/ballots.py, pure)."""
from __future__ import annotations

from pb.ballots import BallotRules, Choice, Problem, check_choice, engine_constraints, read_choice

COSTS = {"1": 40, "2": 30, "3": 20, "4": 10}


def problems(rules, choice, budget=60):
    return check_choice(rules, choice, costs=COSTS, budget=budget)


def test_a_ballot_with_exactly_the_minimum_of_projects_is_accepted():
    rules = BallotRules("approval", min_projects=1, max_projects=2)
    assert problems(rules, Choice(("4",))) == []
    assert problems(rules, Choice(())) == [Problem("too_few", {"min": 1})]


def test_a_repeated_project_is_refused_with_empty_parameters():
    rules = BallotRules("approval")
    assert problems(rules, Choice(("1", "1"))) == [Problem("repeated", {})]


def test_points_on_an_approval_or_knapsack_ballot_are_refused():
    for vote_type in ("approval", "knapsack"):
        assert problems(BallotRules(vote_type), Choice(("4",), (1,))) == [
            Problem("points_not_used", {})], vote_type


def test_spending_exactly_the_minimum_share_is_enough():
    rules = BallotRules("knapsack", min_share_spent=50)
    assert problems(rules, Choice(("2",))) == []  # 30 of 60 is 50 %


def test_spending_just_under_the_minimum_share_is_refused():
    rules = BallotRules("knapsack", min_share_spent=40)
    # 40 of 101 is 39.6 %: under 40 %, although 40 * 101 reaches 101 * 40.
    assert problems(rules, Choice(("1",)), budget=101) == [
        Problem("under_min_share", {"spent": 40, "percent": 40})]


def test_zero_points_for_a_project_is_not_negative():
    rules = BallotRules("cumulative", points_total=5)
    assert problems(rules, Choice(("1", "2"), (3, 0))) == []


def test_points_over_the_cap_say_the_cap():
    rules = BallotRules("cumulative", points_total=5, max_points_per_project=3)
    assert problems(rules, Choice(("1",), (4,))) == [Problem("over_max_per_project", {"max": 3})]


def test_phragmen_counts_approval_and_knapsack_ballots():
    assert BallotRules("approval", rule="phragmen").rule == "phragmen"
    assert BallotRules("knapsack", rule="phragmen").rule == "phragmen"


def test_an_approval_form_with_no_project_is_an_empty_choice():
    assert read_choice(BallotRules("approval"), {}) == (Choice(()), [])


def test_a_points_field_sent_without_a_value_counts_as_zero():
    rules = BallotRules("cumulative", points_total=5)
    assert read_choice(rules, {"points-1": [], "points-2": ["2"]}) == (Choice(("2",), (2,)), [])


def test_points_are_stored_most_first_then_by_project_id():
    rules = BallotRules("cumulative", points_total=9)
    fields = {"points-3": ["2"], "points-1": ["1"], "points-2": ["2"], "points-4": ["4"]}
    assert read_choice(rules, fields) == (Choice(("4", "2", "3", "1"), (4, 2, 2, 1)), [])


def test_unreadable_and_negative_numbers_name_the_project():
    rules = BallotRules("cumulative", points_total=5)
    assert read_choice(rules, {"points-2": ["lots"]}) == (
        None, [Problem("not_a_number", {"project": "2"})])
    assert read_choice(rules, {"points-3": ["-1"]}) == (
        None, [Problem("negative", {"project": "3"})])


def test_ranks_with_a_gap_are_refused_with_empty_parameters():
    rules = BallotRules("ordinal", rank_limit=3)
    assert read_choice(rules, {"rank-1": ["1"], "rank-2": ["3"]}) == (
        None, [Problem("ranks_not_consecutive", {})])


def test_pabulib_constraints_follow_the_vote_type():
    assert engine_constraints(BallotRules("approval", min_projects=1, max_projects=3),
                              budget="60", min_spent=None) == {
        "min_length": "1", "max_length": "3"}
    assert engine_constraints(BallotRules("approval"), budget="60", min_spent=None) == {}
    assert engine_constraints(BallotRules("ordinal", rank_limit=2, max_projects=5),
                              budget="60", min_spent=None) == {"max_length": "2"}
    assert engine_constraints(BallotRules("knapsack", min_share_spent=50),
                              budget="60", min_spent="30") == {
        "max_sum_cost": "60", "min_sum_cost": "30"}
    assert engine_constraints(BallotRules("cumulative", points_total=5,
                                          max_points_per_project=3),
                              budget="60", min_spent=None) == {
        "max_sum_points": "5", "max_points": "3"}
