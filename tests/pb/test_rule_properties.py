"""Properties every outcome must have, on random small elections (hypothesis).

- every rule stays within the budget, buys only known projects, and is deterministic
  (also when the voters are listed in another order);
- greedy is exhaustive;
- MES with cost utilities satisfies EJR up to one on approval ballots, checked by an
  independent brute-force checker (Peters, Pierczyński & Skowron 2021).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.rules import RULES, mes
from tests.pb.elections import make_election
from tests.pb.strategies import any_elections, approval_elections


def _variants(vote_type):
    yield "greedy", {}
    if vote_type == "approval":
        yield "phragmen", {}
    own = {"approval": "cardinality", "ordinal": "borda"}.get(vote_type, "points")
    for utility in ("cost", own):
        for completion in ("none", "add1u", "add1"):
            yield "mes", {"utility": utility, "completion": completion}


@settings(max_examples=60, deadline=None)
@given(any_elections(), st.sampled_from(["lexico", "maxvotes-mincost"]))
def test_every_rule_is_within_budget_known_and_deterministic(drawn, tie_break):
    (instance, profile), vote_type = drawn
    reversed_profile = type(profile).from_ballots(profile.ballots[::-1])
    for rule, options in _variants(vote_type):
        outcome = RULES[rule](instance, profile, tie_break=tie_break, **options)
        assert outcome.cost <= instance.budget
        assert set(outcome.selected) <= set(instance.project_by_id)
        assert len(set(outcome.selected)) == len(outcome.selected)
        again = RULES[rule](instance, reversed_profile, tie_break=tie_break, **options)
        assert again.selected == outcome.selected


@settings(max_examples=80, deadline=None)
@given(approval_elections())
def test_greedy_is_exhaustive(election):
    instance, profile = election
    outcome = RULES["greedy"](instance, profile)
    left = instance.budget - outcome.cost
    assert all(
        project.cost > left for project in instance.projects if project.id not in outcome.selected
    )


def ejr_up_to_one_violation(instance, profile, chosen) -> tuple | None:
    """Brute force: a (T, group) witnessing that ``chosen`` fails EJR up to one, else None.

    With cost utilities u_i(X) = cost(X ∩ A_i): a group S is T-cohesive if every voter of S
    approves all of T and |S| / n ≥ cost(T) / B. EJR up to one asks that some i in S has
    u_i(W) ≥ u_i(T) or u_i(W ∪ {p}) > u_i(T) for some p in T outside W.
    A T-cohesive group of failing voters exists iff enough approvers of T fail.
    """
    n = len(profile)
    cost = {p.id: p.cost for p in instance.projects}
    won = set(chosen)
    ids = [p.id for p in instance.projects]
    for size in range(1, len(ids) + 1):
        for group_projects in combinations(ids, size):
            wanted = sum(cost[p] for p in group_projects)
            approvers = [b for b in profile.ballots if set(group_projects) <= set(b.projects)]
            failing = []
            for ballot in approvers:
                have = sum(cost[p] for p in won if p in ballot.projects)
                missing = [p for p in group_projects if p not in won]
                if have >= wanted or any(have + cost[p] > wanted for p in missing):
                    continue
                failing.append(ballot.voter_id)
            if failing and Fraction(len(failing), n) >= Fraction(wanted, instance.budget):
                return group_projects, failing
    return None


@settings(max_examples=150, deadline=None)
@given(approval_elections(max_voters=7))
def test_mes_with_cost_utilities_is_ejr_up_to_one(election):
    instance, profile = election
    outcome = mes(instance, profile, utility="cost")
    assert ejr_up_to_one_violation(instance, profile, outcome.selected) is None


def test_the_ejr_checker_catches_a_disproportional_outcome():
    # two equal camps, each able to pay for its own project: funding only one is not EJR-1
    instance, profile = make_election({"x": 5, "y": 5}, 10, [["x"], ["x"], ["y"], ["y"]])
    assert ejr_up_to_one_violation(instance, profile, ["x"]) is not None
    assert ejr_up_to_one_violation(instance, profile, ["x", "y"]) is None
