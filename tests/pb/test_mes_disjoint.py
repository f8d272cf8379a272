"""add1/add1u in closed form on single-choice elections (pb.rules.mes.disjoint, pb.single_choice).

When no voter supports two projects, add1 finds its last per-voter budget without MES runs.
On random single-choice elections the outcome must equal the step-by-step loop (one MES run per
step, tests/pb/elections.py's plain_add1), the shortcut loop of add1 and the plain reference:
selection, per-voter budget, the number of steps, prices and payments. The numpy-free
:func:`pb.single_choice.single_choice_mes` (what ``mes`` runs on approval/choose-1 elections)
must equal the numpy closed form, explanation included.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.instance import Instance, Project, format_money
from pb.pabulib import read_pabulib
from pb.rules import mes
from pb.rules.mes import rule
from pb.rules.mes.disjoint import supports_disjoint
from pb.rules.mes.reference import mes_reference
from pb.rules.profile_arrays import profile_arrays
from pb.single_choice import single_choice_mes
from tests.pb.elections import SHARED_PABULIB, make_election, plain_add1

IDS = ["a", "b", "c", "d", "e", "f"]
OUTCOMES = json.loads(
    (Path(__file__).parent / "data" / "pabutools_outcomes.json").read_text(encoding="utf-8"))


@st.composite
def single_choice(draw):
    """choose-1, one-project approval or one-project cumulative elections (0-4 points) where
    add1 takes many steps: costs up to 60 against budgets of a few units per voter; cost-0,
    unsupported and too dear projects."""
    ids = IDS[: draw(st.integers(1, len(IDS)))]
    costs = {p: draw(st.integers(0, 60)) for p in ids}
    budget = draw(st.integers(1, 80))
    vote_type = draw(st.sampled_from(["choose-1", "approval", "cumulative"]))
    votes = [draw(st.sampled_from([[], *([p] for p in ids)]))
             for _ in range(draw(st.integers(1, 25)))]
    if vote_type == "cumulative":
        votes = [{p: draw(st.integers(0, 4)) for p in vote} for vote in votes]
    return make_election(costs, budget, votes, vote_type=vote_type)


def _with_loop(monkeypatch, **options):
    """mes() on profile arrays with add1 forced onto its step loop (no closed form)."""
    monkeypatch.setattr(rule, "add1", partial(rule.add1, closed_form=False))
    try:
        instance, profile = options.pop("election")
        return mes(instance, profile, arrays=profile_arrays(instance, profile), **options)
    finally:
        monkeypatch.undo()


@settings(max_examples=200, deadline=None)
@given(single_choice(), st.sampled_from(["add1u", "add1"]),
       st.sampled_from(["cost", "cardinality", "points"]),
       st.sampled_from(["lexico", "maxvotes-mincost"]))
def test_closed_form_equals_the_step_loop_and_the_reference(election, completion, utility,
                                                            tie_break):
    instance, profile = election
    if utility == "points" and instance.vote_type != "cumulative":
        utility = "cost"
    options = {"utility": utility, "completion": completion, "tie_break": tie_break}
    arrays = profile_arrays(instance, profile)
    assert supports_disjoint(arrays.support(utility))
    fast = mes(instance, profile, **options)
    with pytest.MonkeyPatch.context() as monkeypatch:
        looped = _with_loop(monkeypatch, election=election, **options)
    plain = mes_reference(instance, profile, **options)
    assert fast.selected == looped.selected == plain.selected
    details, loop_details = fast.explanation, looped.explanation
    for key in ("mes_selected", "per_voter_budget", "rho", "runs"):
        assert details[key] == loop_details[key], key
    assert details["per_voter_budget"] == plain.per_voter_budget
    assert details["rho"] == plain.rho
    assert tuple(details["paid"]) == tuple(loop_details["paid"]) == plain.paid
    if not (completion == "add1" and instance.fully_funded):
        assert details["computed_runs"] == 1  # the closed form was used
        step = details["increment"]
        start = Fraction(instance.budget) / len(profile)
        result, chosen = plain_add1(arrays, utility, completion, tie_break, step,
                                    instance.fully_funded)
        assert details["per_voter_budget"] == result.start >= start
        assert list(fast.selected) == [arrays.ids[p] for p in chosen]


@settings(max_examples=200, deadline=None)
@given(single_choice(), st.sampled_from(["none", "add1u", "add1"]),
       st.sampled_from(["cost", "cardinality"]),
       st.sampled_from(["lexico", "maxvotes-mincost"]))
def test_numpy_free_single_choice_mes_equals_the_numpy_closed_form(election, completion, utility,
                                                                   tie_break):
    instance, profile = election
    options = {"utility": utility, "completion": completion, "tie_break": tie_break}
    pure = single_choice_mes(instance, profile, **options)
    if instance.vote_type == "cumulative":
        assert pure is None  # points ballots: the general rule answers
        return
    on_arrays = mes(instance, profile, arrays=profile_arrays(instance, profile), **options)
    assert pure == on_arrays  # selection, cost, every explanation entry (payments included)
    assert mes(instance, profile, **options) == on_arrays


def _money(value: Fraction):
    return int(value) if value.denominator == 1 else value


@settings(max_examples=100, deadline=None)
@given(single_choice(), st.sampled_from(["none", "add1u", "add1"]),
       st.sampled_from(["cost", "cardinality"]), st.sampled_from([1, 2, 4]),
       st.sampled_from([None, 1, Fraction(1, 3), Fraction(5, 2)]))
def test_numpy_free_single_choice_mes_is_exact_with_fractional_costs_and_steps(
        election, completion, utility, denominator, increment):
    """The integer arithmetic of the closed form (c·s2 ≤ n·c2·s1, ...) with costs, budget
    and add1 step that are not whole numbers."""
    instance, profile = election
    if instance.vote_type == "cumulative":
        return
    instance = Instance(
        meta={**instance.meta, "budget": format_money(Fraction(instance.budget, denominator))},
        projects=tuple(Project(project.id, _money(Fraction(project.cost, denominator)))
                       for project in instance.projects))
    options = {"utility": utility, "completion": completion, "increment": increment}
    pure = single_choice_mes(instance, profile, **options)
    on_arrays = mes(instance, profile, arrays=profile_arrays(instance, profile), **options)
    assert pure == on_arrays


def test_single_choice_mes_declines_what_it_does_not_cover():
    instance, profile = make_election({"a": 5, "b": 5}, 10, [["a"], ["a", "b"]])
    assert single_choice_mes(instance, profile) is None  # two projects on one ballot
    instance, profile = make_election({"a": 5, "b": 5}, 10, [["a"], ["b"]], vote_type="ordinal")
    assert single_choice_mes(instance, profile, utility="borda") is None
    instance, profile = make_election({"a": 5, "b": 5}, 10, [["a"], ["b"]])
    assert single_choice_mes(instance, profile, utility="borda") is None
    with pytest.raises(ValueError, match="utility"):  # refused by the general rule, as before
        mes(instance, profile, utility="borda")
    assert single_choice_mes(instance, profile, increment=0) is None
    with pytest.raises(ValueError, match="increment"):
        mes(instance, profile, completion="add1", increment=0)


def test_two_projects_on_one_ballot_are_not_disjoint():
    instance, profile = make_election({"a": 5, "b": 5}, 10, [["a"], ["a", "b"]])
    assert not supports_disjoint(profile_arrays(instance, profile).support("cost"))
    instance, profile = make_election({"a": 5, "b": 5}, 10, [["a"], ["b"], []])
    assert supports_disjoint(profile_arrays(instance, profile).support("cost"))


def test_hand_checked_single_choice_election():
    # 10 voters, budget 100 (10 each, step 1): a (cost 40, 5 voters) is bought at 10 per voter;
    # b (cost 36, 3 voters) needs 12; c (cost 40, 2 voters) needs 20. At 12 a and b cost 76:
    # c (40) no longer fits, so add1u stops there, exhaustive, after steps 10, 11, 12.
    votes = [["a"]] * 5 + [["b"]] * 3 + [["c"]] * 2
    instance, profile = make_election({"a": 40, "b": 36, "c": 40}, 100, votes,
                                      vote_type="choose-1")
    outcome = mes(instance, profile, completion="add1u")
    assert outcome.explanation["per_voter_budget"] == 12
    assert outcome.explanation["runs"] == 3
    assert outcome.explanation["mes_selected"] == ("a", "b")
    assert outcome.selected == ("a", "b")  # greedy adds nothing: 24 left, c costs 40
    # add1 without the exhaustive stop goes on to 20, where a + b + c = 116 > 100: keeps 19
    outcome = mes(instance, profile, completion="add1")
    assert outcome.explanation["per_voter_budget"] == 19
    assert outcome.explanation["runs"] == 11
    assert outcome.selected == ("a", "b")


@pytest.mark.slow
def test_wroclaw_outcome_is_pabutools():
    name = "poland_wroclaw_2015_up-to-150.pb"
    instance, profile = read_pabulib(SHARED_PABULIB / name)
    outcome = mes(instance, profile, utility="cost", completion="add1u")
    stored = OUTCOMES[name]["mes|utility=cost|completion=add1u|tie=lexico"]
    assert outcome.selected_sorted == stored["selected"]
    assert str(outcome.cost) == stored["cost"]
    assert outcome.explanation["computed_runs"] == 1
