"""The fast MES (pb.rules.mes) against the plain reference (pb.rules.mes.reference).

On random elections (hypothesis) both must give the same selection, the same prices (ρ per unit
of utility of each project MES bought) and the same per-voter payments, for every utility and
completion; and the reference alone must reproduce stored pabutools 1.2.3 outcomes.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.pabulib import read_pabulib
from pb.rules import mes
from pb.rules.mes.reference import mes_reference, price
from tests.pb.elections import SHARED_PABULIB, make_election

IDS = ["a", "b", "c", "d", "e"]
UTILITIES = {
    "approval": ["cost", "cardinality"],
    "choose-1": ["cost", "cardinality"],
    "ordinal": ["cost", "cardinality", "borda"],
    "cumulative": ["cost", "cardinality", "points"],
    "scoring": ["cost", "cardinality", "points"],
}
OUTCOMES = json.loads(
    (Path(__file__).parent / "data" / "pabutools_outcomes.json").read_text(encoding="utf-8"))


def money(draw, top: int):
    """An int, or now and then a fraction with a small denominator (scaled utilities)."""
    value = draw(st.integers(0, top))
    return Fraction(value, draw(st.sampled_from([2, 3, 4]))) if draw(st.booleans()) and (
        draw(st.integers(0, 3)) == 0) else value


@st.composite
def elections(draw):
    """Small elections of every vote type: ties, cost-0 projects, unsupported projects, zero
    and fractional points and costs, and now and then large money (add1 steps of 10 units)."""
    vote_type = draw(st.sampled_from(sorted(UTILITIES)))
    ids = IDS[: draw(st.integers(1, 5))]
    scale = draw(st.sampled_from([1, 1, 1, 1, 100]))
    costs = {p: money(draw, 12) * scale for p in ids}
    budget = (money(draw, 30) or 1) * scale
    votes = []
    for _ in range(draw(st.integers(0, 7))):
        chosen = draw(st.permutations(ids))[: draw(st.integers(0, len(ids)))]
        if vote_type == "choose-1":
            votes.append(chosen[:1])
        elif vote_type in ("approval", "ordinal"):
            votes.append(list(chosen))
        else:
            votes.append({p: money(draw, 4) for p in chosen})
    return make_election(costs, budget, votes, vote_type=vote_type), vote_type


@settings(max_examples=150, deadline=None)
@given(
    elections(),
    st.sampled_from(["none", "add1", "add1u"]),
    st.sampled_from(["lexico", "maxvotes-mincost"]),
)
def test_fast_mes_equals_the_reference(drawn, completion, tie_break):
    (instance, profile), vote_type = drawn
    for utility in UTILITIES[vote_type]:
        options = {"utility": utility, "completion": completion, "tie_break": tie_break}
        fast = mes(instance, profile, **options)
        plain = mes_reference(instance, profile, **options)
        assert fast.selected == plain.selected, options
        if len(profile) == 0:
            continue  # nothing was paid
        details = fast.explanation
        assert details["mes_selected"] == plain.mes_selected, options
        assert details["per_voter_budget"] == plain.per_voter_budget, options
        assert details["rho"] == plain.rho, options
        assert tuple(details["paid"]) == plain.paid, options


def test_reference_price_is_the_smallest_that_pays_the_cost():
    # budgets 1, 2, 10 with utility 1 each; cost 9: the first pays 1, then 2, the last 6
    assert price(Fraction(9), [(Fraction(b), Fraction(1)) for b in (10, 2, 1)]) == 6
    assert price(Fraction(3), [(Fraction(b), Fraction(1)) for b in (10, 2, 1)]) == 1
    assert price(Fraction(14), [(Fraction(b), Fraction(1)) for b in (10, 2, 1)]) is None
    # utilities 1 and 3: ρ = 2 charges 2 and 6
    assert price(Fraction(8), [(Fraction(5), Fraction(1)), (Fraction(9), Fraction(3))]) == 2


def test_reference_on_a_hand_checked_election():
    # budget 12, 3 voters with 4 each; a (cost 6) has 3 supporters: ρ = 2 per unit of
    # cardinality, each pays 2; then b (cost 4) by the two left with 2 each: ρ = 2
    instance, profile = make_election({"a": 6, "b": 4, "c": 9}, 12,
                                      [["a", "b"], ["a", "b", "c"], ["a"]])
    plain = mes_reference(instance, profile, utility="cardinality")
    assert plain.selected == ("a", "b")
    assert plain.rho == {"a": 2, "b": 2}
    assert plain.paid == (4, 4, 2)


CASES = [
    ("poland_warszawa_2019_las.pb", "mes|utility=cost|completion=none|tie=lexico"),
    ("poland_warszawa_2019_las.pb", "mes|utility=cardinality|completion=none|tie=lexico"),
    ("poland_gdansk_2020_wzgorze-mickiewicza.pb",
     "mes|utility=points|completion=none|tie=maxvotes-mincost"),
    pytest.param("poland_gdansk_2020_wzgorze-mickiewicza.pb",
                 "mes|utility=cost|completion=add1u|tie=lexico", marks=pytest.mark.slow),
    pytest.param("poland_krakow_2018_wzgorza-krzeslawickie.pb",
                 "mes|utility=borda|completion=add1u|tie=lexico", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("name", "key"), CASES)
def test_reference_reproduces_stored_pabutools_outcomes(name, key):
    stored = OUTCOMES[name][key]
    options = dict(part.split("=") for part in key.split("|")[1:])
    instance, profile = read_pabulib(SHARED_PABULIB / name)
    plain = mes_reference(instance, profile, utility=options["utility"],
                          completion=options["completion"], tie_break=options["tie"])
    assert sorted(plain.selected) == stored["selected"]
    assert str(sum(instance.project_by_id[p].cost for p in plain.selected)) == stored["cost"]
