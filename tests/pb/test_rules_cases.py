"""Hand-made cases: tie-breaking, explanations, fully funded and degenerate elections."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pb.pabulib import read_pabulib
from pb.rules import RULES, mes
from pb.rules.mes.rule import default_increment
from tests.pb.elections import SHARED_PABULIB, make_election


def test_lexico_ties_compare_ids_as_strings():
    instance, profile = make_election({"9": 10, "10": 10}, 10, [["9", "10"], ["9", "10"]])
    for rule in RULES:
        assert RULES[rule](instance, profile).selected == ("10",)


def test_maxvotes_mincost_prefers_more_voters_then_cheaper():
    # greedy by votes ties "a" and "b"; MES prices them equally; Phragmén too
    instance, profile = make_election({"a": 6, "b": 4}, 6, [["a", "b"], ["a", "b"]])
    assert RULES["greedy"](instance, profile, tie_break="lexico").selected == ("a",)
    assert RULES["greedy"](instance, profile, tie_break="maxvotes-mincost").selected[0] == "b"


def test_mes_explains_prices_and_payments_and_money_adds_up():
    instance, profile = read_pabulib(SHARED_PABULIB / "poland_wieliczka_2023_green-budget.pb")
    outcome = mes(instance, profile, utility="cost")
    paid = outcome.explanation["paid"]
    assert len(paid) == len(profile)
    assert sum(paid) == outcome.cost  # every bought project is paid for exactly
    assert all(0 <= p <= Fraction(instance.budget, len(profile)) for p in paid)
    assert set(outcome.explanation["rho"]) == set(outcome.selected)
    assert 0 < outcome.explanation["covered_share"] <= 1


def test_covered_share_counts_voters_with_a_funded_project():
    instance, profile = make_election({"a": 5, "b": 5}, 5, [["a"], ["b"], ["a", "b"], []])
    outcome = RULES["greedy"](instance, profile)
    assert outcome.selected == ("a",)
    assert outcome.explanation["covered_share"] == Fraction(2, 4)


def test_fully_funded_election_add1_returns_plain_mes_and_add1u_funds_everything():
    instance, profile = read_pabulib(SHARED_PABULIB / "poland_warszawa_2019_las.pb")
    assert instance.fully_funded
    plain = mes(instance, profile)
    add1 = mes(instance, profile, completion="add1")
    assert add1.selected == plain.selected and add1.explanation["fully_funded"]
    assert set(mes(instance, profile, completion="add1u").selected) == set(instance.project_by_id)


def test_huge_per_voter_budgets_use_a_coarser_increment_and_terminate():
    assert default_increment(Fraction(151)) == 1
    assert default_increment(Fraction(10**9, 402)) == 10**4
    votes = [["a"], ["a", "b"], ["b", "c"], ["c"]] * 3
    costs = {"a": 6 * 10**8, "b": 5 * 10**8, "c": 3 * 10**8}
    instance, profile = make_election(costs, 10**9, votes)
    outcome = mes(instance, profile, completion="add1")
    assert outcome.explanation["increment"] == 10**5  # B/n ≈ 8.3·10^7
    assert outcome.explanation["runs"] < 1000
    assert outcome.cost <= instance.budget


def test_zero_cost_project_is_bought_first_by_mes_when_it_gives_utility():
    instance, profile = make_election({"free": 0, "a": 10}, 5, [["free"], ["a"]])
    assert mes(instance, profile, utility="cardinality").selected == ("free",)
    # with cost utilities a free project is worth 0 to everyone, so MES ignores it (pabutools too)
    assert mes(instance, profile, utility="cost").selected == ()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_an_election_without_voters_has_a_defined_outcome(rule):
    instance, profile = make_election({"a": 5, "b": 20}, 10, [])
    outcome = RULES[rule](instance, profile)
    assert outcome.cost <= 10
    assert outcome.explanation["covered_share"] == 0


def test_rules_refuse_utilities_that_do_not_fit_the_ballots():
    instance, profile = make_election({"a": 5}, 10, [["a"]])
    with pytest.raises(ValueError, match="borda"):
        mes(instance, profile, utility="borda")
    with pytest.raises(ValueError, match="unknown completion"):
        mes(instance, profile, completion="add2")
    with pytest.raises(ValueError, match="unknown tie_break"):
        RULES["greedy"](instance, profile, tie_break="random")


def test_without_gmpy2_the_fraction_fallback_gives_the_same_outcomes(monkeypatch):
    from pb.rules.mes import budgets, numeric, run, tracking

    cases = [
        ("poland_wieliczka_2023_green-budget.pb", {"utility": "cost"}),
        ("france_toulouse_2019_.pb", {"utility": "points"}),
        ("poland_krakow_2018_wzgorza-krzeslawickie.pb", {"utility": "borda",
                                                        "completion": "add1u"}),
    ]
    expected = {}
    for name, options in cases:
        instance, profile = read_pabulib(SHARED_PABULIB / name)
        expected[name] = mes(instance, profile, **options)
    for module in (numeric, budgets, run, tracking):  # every module that binds `exact`
        monkeypatch.setattr(module, "exact", Fraction)
    for name, options in cases:
        instance, profile = read_pabulib(SHARED_PABULIB / name)
        again = mes(instance, profile, **options)
        assert again.selected == expected[name].selected
        assert again.explanation["rho"] == expected[name].explanation["rho"]


def test_fractional_costs_give_the_outcome_of_the_same_election_in_smaller_units():
    votes = [["a", "b"], ["a"], ["b", "c"], ["c"], ["a", "c"]]
    quarters = {"a": Fraction(61, 4), "b": Fraction(35, 4), "c": Fraction(49, 2)}
    fractional = make_election(quarters, Fraction(81, 2), votes)
    integral = make_election({k: int(v * 4) for k, v in quarters.items()}, 162, votes)
    for rule, options in [("greedy", {}), ("phragmen", {}), ("mes", {"utility": "cost"}),
                          ("mes", {"utility": "cardinality", "completion": "add1u"})]:
        ours = RULES[rule](*fractional, **options)
        scaled = RULES[rule](*integral, **options)
        assert ours.selected == scaled.selected
        assert ours.cost * 4 == scaled.cost
    assert mes(*fractional).explanation["rho"] == mes(*integral).explanation["rho"]
