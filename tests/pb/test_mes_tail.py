"""add1 skips the steps where only the tail of the run can change (pb.rules.mes.tail).

Every step it skips must be one add1 would have passed anyway: the plain MES run there is
feasible and, for add1u, not exhaustive (for add1: not complete). Checked against plain runs
on random elections and at the skipped steps of a real city (Toulouse 2019, where most of the
skipping happens).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.pabulib import read_pabulib
from pb.rules import mes, profile_arrays
from pb.rules.mes.run import equal_shares_run
from pb.rules.mes.tables import tables
from pb.rules.mes.tail import tail_steps
from tests.pb.elections import SHARED_PABULIB
from tests.pb.strategies import any_elections


def _buyable(arrays, utility):
    totals = arrays.support(utility).totals
    return np.array([totals[p] > 0 and arrays.costs[p] > 0 for p in range(arrays.num_projects)])


def _add1_goes_on(arrays, selected, buyable, exhaustive_stop: bool) -> bool:
    """What add1 checks at a step: feasible, and not exhaustive (add1u) / not complete (add1)."""
    spent = sum((arrays.costs[p] for p in selected), 0)
    if spent > arrays.budget:
        return False
    left = [p for p in buyable.nonzero()[0].tolist() if p not in selected]
    if exhaustive_stop:
        return any(spent + arrays.costs[p] <= arrays.budget for p in left)
    return bool(left)


def _check_skips(arrays, utility, rank, start, step, exhaustive_stop):
    """Skips claimed from the tracked run at ``start``, each checked with plain runs."""
    buyable = _buyable(arrays, utility)
    run = equal_shares_run(arrays, utility=utility, start=start, tie_rank=rank, track=True,
                           needed=float(step))
    skip = tail_steps(run, arrays, tables(arrays, utility), step, buyable,
                      exhaustive_stop=exhaustive_stop, beyond=0)
    for j in sorted({1, skip // 2, skip} - {0}) if skip else ():
        plain = equal_shares_run(arrays, utility=utility, start=start + j * step, tie_rank=rank)
        assert _add1_goes_on(arrays, plain.selected, buyable, exhaustive_stop), (start, j)
    return skip


@settings(max_examples=150, deadline=None)
@given(
    any_elections(),
    st.sampled_from(["lexico", "maxvotes-mincost"]),
    st.sampled_from([Fraction(1), Fraction(1, 4), Fraction(3, 2)]),
    st.booleans(),
)
def test_skipped_steps_are_passed_by_add1_anyway(drawn, tie_break, step, exhaustive_stop):
    (instance, profile), _ = drawn
    arrays = profile_arrays(instance, profile)
    if arrays.num_voters == 0:
        return
    rank = arrays.tie_rank(tie_break)
    start = Fraction(arrays.budget) / arrays.num_voters
    for k in range(4):
        _check_skips(arrays, "cost", rank, start + k * step, step, exhaustive_stop)


def test_toulouse_skips_hold_and_save_most_runs():
    instance, profile = read_pabulib(SHARED_PABULIB / "france_toulouse_2019_.pb")
    arrays = profile_arrays(instance, profile)
    rank = arrays.tie_rank("lexico")
    start = Fraction(arrays.budget) / arrays.num_voters
    skipped = 0
    for k in range(0, 600, 40):  # per-voter budgets along add1u's way (it stops at +637)
        skipped += _check_skips(arrays, "cost", rank, start + k, 1, True)
    assert skipped >= 100  # without the tail argument a run proves < 10 steps here
    outcome = mes(instance, profile, completion="add1u", arrays=arrays)
    assert outcome.explanation["runs"] == 638
    assert outcome.explanation["computed_runs"] < 120  # 288 with whole-run stability alone
