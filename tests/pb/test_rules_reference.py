"""Our outcomes equal pabutools 1.2.3's on every shared election, rule and tie-breaking.

pabutools' outcomes are stored in data/pabutools_outcomes.json by bench/pb_reference.py
(minutes of pabutools time); one live comparison below keeps the stored file honest.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from pb.pabulib import read_pabulib
from pb.rules import RULES, mes, profile_arrays
from pb.rules.mes.run import equal_shares_run
from tests.pb.elections import SHARED_PABULIB

REFERENCE = json.loads((Path(__file__).parent / "data" / "pabutools_outcomes.json").read_text())


@cache
def election(name: str):
    instance, profile = read_pabulib(SHARED_PABULIB / name)
    return instance, profile, profile_arrays(instance, profile)


def options_of(key: str) -> tuple[str, dict]:
    """``mes|utility=cost|completion=add1u|tie=lexico`` → ("mes", {...keyword arguments})."""
    rule, *parts = key.split("|")
    options = dict(part.split("=") for part in parts)
    options["tie_break"] = options.pop("tie")
    return rule, options


def _cases():
    for name, outcomes in sorted(REFERENCE.items()):
        for key, stored in sorted(outcomes.items()):
            slow = "add1" in key and name != "poland_krakow_2018_wzgorza-krzeslawickie.pb"
            # slow: a big file read and an add1 search; 600 s is >10x a run on a busy box
            marks = [pytest.mark.slow, pytest.mark.timeout(600)] if slow else []
            yield pytest.param(name, key, stored, id=f"{name}:{key}", marks=marks)


def test_every_shared_file_has_reference_outcomes():
    assert sorted(REFERENCE) == sorted(p.name for p in SHARED_PABULIB.glob("*.pb"))


@pytest.mark.parametrize(("name", "key", "stored"), list(_cases()))
def test_outcome_equals_pabutools(name, key, stored):
    if "selected" not in stored:
        pytest.skip(f"no pabutools reference: {stored}")
    instance, profile, arrays = election(name)
    rule, options = options_of(key)
    outcome = RULES[rule](instance, profile, arrays=arrays, **options)
    assert outcome.selected_sorted == stored["selected"]
    assert str(outcome.cost) == stored["cost"]


def _official(instance) -> list[str]:
    return sorted(p.id for p in instance.projects if p.extra.get("selected") == "1")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_wieliczka_add1_without_exhaustive_stop_reproduces_the_official_outcome():
    instance, profile, arrays = election("poland_wieliczka_2023_green-budget.pb")
    outcome = mes(instance, profile, completion="add1", arrays=arrays)
    assert outcome.selected_sorted == _official(instance)
    assert (len(outcome.selected), outcome.cost) == (30, 995_079)
    # the kept run is the last feasible one: one more unit per voter overspends
    per_voter = outcome.explanation["per_voter_budget"]
    raised = per_voter - Fraction(instance.budget, len(profile))
    assert raised.denominator == 1 and raised > 0
    following = equal_shares_run(
        arrays, utility="cost", start=per_voter + 1, tie_rank=arrays.tie_rank("lexico")
    )
    assert sum(arrays.costs[p] for p in following.selected) > instance.budget


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_wieliczka_add1u_stops_at_the_first_exhaustive_outcome_instead():
    instance, profile, arrays = election("poland_wieliczka_2023_green-budget.pb")
    outcome = mes(instance, profile, completion="add1u", arrays=arrays)
    official = set(_official(instance))
    assert set(outcome.selected) - official == {"66", "67"}
    assert official - set(outcome.selected) == {"46"}
    assert outcome.cost == 984_579


@pytest.mark.timeout(600)  # runs pabutools itself (seconds to minutes per rule)
def test_live_pabutools_comparison_on_small_elections():
    pytest.importorskip("pabutools")
    from tests.pb.pabutools_adapter import run_pabutools

    for name, key in [
        ("poland_warszawa_2019_las.pb", "greedy|tie=lexico"),
        ("poland_warszawa_2019_las.pb", "phragmen|tie=maxvotes-mincost"),
        ("poland_warszawa_2019_las.pb", "mes|utility=cardinality|completion=none|tie=lexico"),
        ("poland_krakow_2018_wzgorza-krzeslawickie.pb", "greedy|tie=lexico"),
        ("poland_krakow_2018_wzgorza-krzeslawickie.pb",
         "mes|utility=borda|completion=add1u|tie=lexico"),
        ("poland_gdansk_2020_wzgorze-mickiewicza.pb",
         "mes|utility=points|completion=none|tie=maxvotes-mincost"),
    ]:
        rule, options = options_of(key)
        theirs, _, _ = run_pabutools(
            SHARED_PABULIB / name, rule, options.get("utility"), options.get("completion"),
            options["tie_break"],
        )
        instance, profile, arrays = election(name)
        ours = RULES[rule](instance, profile, arrays=arrays, **options)
        assert ours.selected_sorted == theirs, (name, key)
