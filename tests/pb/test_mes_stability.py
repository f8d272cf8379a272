"""The add1 shortcuts (pb.rules.mes.stability) change nothing: random tie-heavy elections.

``stable_for`` is checked against plain reruns inside the claimed range, resumed runs against
fresh runs, and mes() with skipping and resuming against the plain add1/add1u loop.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.rules import mes, profile_arrays
from pb.rules.mes.run import equal_shares_run
from tests.pb.elections import plain_add1, utilities
from tests.pb.strategies import any_elections


def _state(run):
    """What a run decides: purchases, prices and every merged ballot's final budget."""
    return run.selected, run.rho, run.row_budgets()


@settings(max_examples=80, deadline=None)
@given(
    any_elections(),
    st.sampled_from(["lexico", "maxvotes-mincost"]),
    st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5, 2)]),
)
def test_stable_for_and_resume_agree_with_plain_runs(drawn, tie_break, step):
    (instance, profile), vote_type = drawn
    arrays = profile_arrays(instance, profile)
    if arrays.num_voters == 0:
        return
    rank = arrays.tie_rank(tie_break)
    start = Fraction(arrays.budget) / arrays.num_voters
    for utility in utilities(vote_type):

        def plain(per_voter, utility=utility):
            return equal_shares_run(arrays, utility=utility, start=per_voter, tie_rank=rank)

        for k in range(6):
            at = start + k * step
            tracked = equal_shares_run(arrays, utility=utility, start=at, tie_rank=rank, track=True)
            assert _state(tracked) == _state(plain(at))
            limit = tracked.stable_for
            if limit > 0:
                bound = Fraction(limit) if limit < 10**6 else Fraction(10**6)
                for share in (Fraction(1, 4), Fraction(1, 2), Fraction(99, 100)):
                    assert plain(at + share * bound).selected == tracked.selected
            for later in (step, 2 * step, 7 * step):
                resumed = equal_shares_run(
                    arrays,
                    utility=utility,
                    start=at + later,
                    tie_rank=rank,
                    track=True,
                    resume=tracked,
                )
                assert _state(resumed) == _state(plain(at + later))


@settings(max_examples=80, deadline=None)
@given(
    any_elections(),
    st.sampled_from(["lexico", "maxvotes-mincost"]),
    st.sampled_from(["add1u", "add1"]),
    st.sampled_from([None, Fraction(1, 4)]),
)
def test_add1_with_shortcuts_equals_the_plain_loop(drawn, tie_break, completion, increment):
    (instance, profile), vote_type = drawn
    arrays = profile_arrays(instance, profile)
    if arrays.num_voters == 0:
        return
    step = 1 if increment is None else increment
    for utility in utilities(vote_type):
        outcome = mes(
            instance,
            profile,
            utility=utility,
            completion=completion,
            tie_break=tie_break,
            increment=increment,
            arrays=arrays,
        )
        run, chosen = plain_add1(
            arrays, utility, completion, tie_break, step, instance.fully_funded
        )
        assert list(outcome.selected) == [arrays.ids[p] for p in chosen]
        assert outcome.explanation["per_voter_budget"] == run.start
        scale = arrays.utility_scale(utility)
        assert outcome.explanation["rho"] == {
            arrays.ids[p]: rho * scale for p, rho in run.rho.items()
        }
