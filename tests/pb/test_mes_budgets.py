"""Float budgets with error bounds decide nothing alone (pb.rules.mes.budgets).

With the error bounds blown up so that almost every float comparison is too close to call,
every decision goes through the exact paths (affordability, poor/rich split, used-up budgets,
stability limits); the outcomes must not change, and must equal the plain add1 loop.
"""

from __future__ import annotations

from contextlib import contextmanager
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.rules import mes, profile_arrays
from pb.rules.mes import budgets, numeric, tracking
from pb.rules.mes.run import equal_shares_run
from tests.pb.elections import plain_add1, utilities
from tests.pb.strategies import any_elections


@contextmanager
def doubtful_floats(exact_walk: bool = False):
    """Error bounds of a few percent of the budgets instead of ~1e-13; with ``exact_walk``
    also every price near a supporter's budget is found by the exact walk."""
    unit, holds = numeric.UNIT, budgets.RunState._split_holds
    # every error bound is built from numeric.UNIT (class_slack, slope_error); tracking also
    # bounds one rounding with its own binding of it
    numeric.UNIT = tracking.UNIT = 1e-3
    if exact_walk:
        budgets.RunState._split_holds = lambda *args: False
    try:
        yield
    finally:
        numeric.UNIT = tracking.UNIT = unit
        budgets.RunState._split_holds = holds


def _outcome(instance, profile, arrays, **options):
    outcome = mes(instance, profile, arrays=arrays, **options)
    details = outcome.explanation
    return [outcome.selected] + [details.get(k) for k in ("rho", "per_voter_budget", "paid")]


@settings(max_examples=60, deadline=None)
@given(
    any_elections(),
    st.sampled_from(["lexico", "maxvotes-mincost"]),
    st.sampled_from(["none", "add1u", "add1"]),
)
def test_exact_paths_give_the_same_outcomes(drawn, tie_break, completion):
    (instance, profile), vote_type = drawn
    arrays = profile_arrays(instance, profile)
    for utility in utilities(vote_type):
        options = {"utility": utility, "completion": completion, "tie_break": tie_break}
        usual = _outcome(instance, profile, arrays, **options)
        for exact_walk in (False, True):
            with doubtful_floats(exact_walk):
                again = profile_arrays(instance, profile)
                assert _outcome(instance, profile, again, **options) == usual
        if arrays.num_voters and completion != "none":
            step = 1
            _, chosen = plain_add1(
                arrays, utility, completion, tie_break, step, instance.fully_funded
            )
            assert list(usual[0]) == [arrays.ids[p] for p in chosen]


@settings(max_examples=40, deadline=None)
@given(any_elections(), st.sampled_from([Fraction(1, 3), Fraction(2)]))
def test_doubtful_stability_bounds_stay_valid(drawn, step):
    (instance, profile), vote_type = drawn
    arrays = profile_arrays(instance, profile)
    if arrays.num_voters == 0:
        return
    rank = arrays.tie_rank("lexico")
    start = Fraction(arrays.budget) / arrays.num_voters
    for utility in utilities(vote_type):
        with doubtful_floats():
            tracked = equal_shares_run(
                arrays, utility=utility, start=start, tie_rank=rank, track=True
            )
            resumed = equal_shares_run(
                arrays, utility=utility, start=start + step, tie_rank=rank, track=True,
                resume=tracked,
            )
        plain = equal_shares_run(arrays, utility=utility, start=start + step, tie_rank=rank)
        assert (resumed.selected, resumed.rho, resumed.row_budgets()) == (
            plain.selected, plain.rho, plain.row_budgets())
        if 0 < tracked.stable_for < 10**6:
            inside = start + Fraction(tracked.stable_for) * Fraction(99, 100)
            again = equal_shares_run(arrays, utility=utility, start=inside, tie_rank=rank)
            assert again.selected == tracked.selected
