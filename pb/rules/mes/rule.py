"""The Method of Equal Shares rule with its completions (README §2; docs/pb-rules.md §2, §3).

Completions:

``none``
    Plain MES at per-voter budget B/n.
``add1u`` (default on equalshares.net; pabutools semantics)
    add1 *with exhaustive stop*: rerun MES with per-voter budget B/n, B/n + δ, B/n + 2δ, ...;
    return the previous outcome as soon as one is infeasible, the current one as soon as it
    is exhaustive w.r.t. the projects MES can buy (supported, positive cost); then complete it
    with the utilitarian greedy of the vote type (:func:`pb.rules.greedy.greedy_fill`) unless
    it is already exhaustive.
``add1``
    add1 *without* exhaustive stop (the official Wieliczka 2023 semantics, §3.2): raise by δ
    until the outcome is infeasible and keep the last feasible one; no greedy step.
    A fully funded election (all projects fit together, §3.5) never becomes infeasible:
    like equalshares.net we then return plain MES. The loop also ends once MES buys every
    project it can buy (more money cannot change that set).

The increment δ is 1 currency unit when B/n ≤ 1000 units (every shared file), otherwise
10^(d−2) for B/n ∈ [10^d, 10^(d+1)) — 0.1–1 % of B/n — so that cities with huge per-voter
budgets (Budapest, §3.4) need hundreds, not millions, of MES runs. Pass ``increment`` to override;
the value used is reported in the explanation.

Shortcuts (same outcome, exactly; :mod:`pb.rules.mes.stability`, README §4): each run proves
how much more per-voter budget leaves its purchases unchanged, and the steps inside that range
are not rerun; a rerun takes over the purchases of the previous run that provably stay the same
and computes only the rest. Further steps are passed without any run where a stable prefix of
the run already proves them feasible and not exhaustive, whatever the rest buys
(:mod:`pb.rules.mes.tail`). ``runs`` in the explanation counts the per-voter budgets add1 goes
through, ``computed_runs`` the MES runs actually computed (including a final one at the budget
used, for its prices and payments).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial

import numpy as np

from pb.instance import Instance, Money, Profile
from pb.rules.greedy import greedy_fill
from pb.rules.mes.disjoint import add1_steps, supports_disjoint
from pb.rules.mes.run import EqualSharesRun, class_budgets, equal_shares_run
from pb.rules.mes.tables import tables
from pb.rules.mes.tail import tail_steps
from pb.rules.outcome import Outcome, make_outcome
from pb.rules.profile_arrays import UTILITIES, ProfileArrays, profile_arrays
from pb.rules_base import COMPLETIONS
from pb.single_choice import default_increment, single_choice_mes


def mes(
    instance: Instance,
    profile: Profile,
    *,
    utility: str = "cost",
    completion: str = "none",
    tie_break: str = "lexico",
    increment: Money | None = None,
    arrays: ProfileArrays | None = None,
) -> Outcome:
    """Method of Equal Shares with ``utility`` and ``completion`` (see module docstring).

    Parameters
    ----------
    utility : ``cost`` (default), ``cardinality``, ``points`` (cumulative/scoring) or
        ``borda`` (ordinal).
    completion : ``none``, ``add1u`` or ``add1``.
    tie_break : ``lexico`` or ``maxvotes-mincost``.
    increment : per-voter budget step of add1/add1u (default: :func:`default_increment`).
    """
    if utility not in UTILITIES:
        raise ValueError(f"unknown utility {utility!r}; expected one of {UTILITIES}")
    if completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r}; expected one of {COMPLETIONS}")
    if increment is not None and increment <= 0:
        raise ValueError("increment must be positive")
    if arrays is None:  # single-choice elections: exactly the same, in closed form
        outcome = single_choice_mes(instance, profile, utility=utility, completion=completion,
                                    tie_break=tie_break, increment=increment)
        if outcome is not None:
            return outcome
    arrays = arrays or profile_arrays(instance, profile)
    rank = arrays.tie_rank(tie_break)
    arrays.support(utility)  # validates utility against the vote type
    if arrays.num_voters == 0:
        chosen = []
        if completion == "add1u":
            chosen = greedy_fill(arrays, chosen=[], tie_break=tie_break)[0]
        return make_outcome("mes", arrays, chosen, {"completion": completion})
    start = Fraction(arrays.budget) / arrays.num_voters
    step = default_increment(start) if increment is None else increment
    details: dict = {"completion": completion, "utility": utility}
    if completion == "none" or (completion == "add1" and instance.fully_funded):
        kept = Kept(equal_shares_run(arrays, utility=utility, start=start, tie_rank=rank),
                    start, runs=1, computed=1)
    else:
        kept = add1(arrays, utility=utility, exhaustive_stop=completion == "add1u",
                    tie_rank=rank, start=start, step=step)
    if completion == "add1":
        details["fully_funded"] = instance.fully_funded
    result, computed = kept.run, kept.computed
    if result.start != kept.start:  # details (ρ, payments) of the budget actually used
        result = equal_shares_run(
            arrays, utility=utility, start=kept.start, tie_rank=rank, resume=result
        )
        computed += 1
    chosen = list(result.selected)
    scale = arrays.utility_scale(utility)  # ρ per unit of the unscaled utility
    details.update(
        mes_selected=tuple(arrays.ids[p] for p in chosen),
        per_voter_budget=result.start,
        increment=step if completion != "none" else None,
        runs=kept.runs,
        computed_runs=computed,
        rho={arrays.ids[p]: rho * scale for p, rho in result.rho.items()},
        paid=VoterPayments(arrays, result),
    )
    if completion == "add1u":
        chosen, added = greedy_fill(arrays, chosen=chosen, tie_break=tie_break)
        details["greedy_added"] = tuple(arrays.ids[p] for p in added)
    return make_outcome("mes", arrays, chosen, details)


@dataclass(frozen=True)
class Kept:
    """What add1 keeps: the last feasible ``run`` it computed, the per-voter budget ``start``
    it ends at (≥ run.start: every budget in between provably selects the same), the
    per-voter budgets it went through (``runs``) and the MES runs it computed."""

    run: EqualSharesRun
    start: Fraction
    runs: int
    computed: int


def add1(arrays: ProfileArrays, *, utility: str, exhaustive_stop: bool, tie_rank: np.ndarray,
         start: Fraction, step: Money, closed_form: bool = True) -> Kept:
    """add1 from per-voter budget ``start`` by ``step`` (README §2): until a run is infeasible
    (keep the previous one), or exhaustive (``exhaustive_stop``: add1u; keep it), or buys every
    buyable project (keep it). Steps that provably pass are skipped (README §4); where no voter
    supports two projects the end is found without runs (``closed_form``, README §4.4)."""
    support = arrays.support(utility)
    costs, budget = arrays.costs, arrays.budget
    if closed_form and supports_disjoint(support):
        kept_step, stop, bought = add1_steps(arrays, support, start=start, step=step,
                                             exhaustive_stop=exhaustive_stop)
        final = start + kept_step * step
        run = equal_shares_run(arrays, utility=utility, start=final, tie_rank=tie_rank)
        if {p for p in run.selected if costs[p] > 0} == bought:  # always; checked, not assumed
            return Kept(run, final, runs=stop + 1, computed=1)
    buyable = [p for p in range(arrays.num_projects) if support.totals[p] > 0 and costs[p] > 0]
    buyable_mask = np.zeros(arrays.num_projects, dtype=bool)
    buyable_mask[buyable] = True
    run_at = partial(equal_shares_run, arrays, utility=utility, tie_rank=tie_rank, track=True,
                     needed=float(step))
    current = run_at(start=start)
    kept = Kept(current, start, runs=1, computed=1)
    while True:
        spent = sum((costs[p] for p in current.selected), 0)
        if spent > budget:
            return kept  # the previous, feasible one
        kept = Kept(current, current.start, kept.runs, kept.computed)
        taken = set(current.selected)
        if exhaustive_stop:
            if all(p in taken or spent + costs[p] > budget for p in buyable):
                return kept
        elif taken >= set(buyable):
            return kept
        # every per-voter budget up to start + skip·step selects the same: neither
        # infeasible, nor exhaustive, nor complete, so add1 would go on past all of them
        skip = _same_steps(current, step)
        # or further, if only the tail of the run can change (tail)
        skip = max(skip, tail_steps(current, arrays, tables(arrays, utility), step,
                                    buyable_mask, exhaustive_stop=exhaustive_stop,
                                    beyond=skip))
        kept = Kept(current, current.start + skip * step, kept.runs + skip + 1,
                    kept.computed + 1)
        current = run_at(start=current.start + (skip + 1) * step, resume=current)


def _same_steps(run: EqualSharesRun, step: Money) -> int:
    """How many further steps provably select the same as ``run`` (stability)."""
    if not math.isfinite(run.stable_for):
        return 0
    return max(0, math.ceil(Fraction(run.stable_for) / step) - 1)


class VoterPayments(Sequence):
    """What each voter (profile order) paid in total in an MES run, as exact Fractions.

    Computed on first use (results pages, exports), not with the outcome: one exact
    subtraction per budget class, voters of a class paid the same."""

    def __init__(self, arrays: ProfileArrays, run: EqualSharesRun):
        # only what the payments need, not the run (its snapshots are large)
        self._source: tuple | None = (arrays.voter_row, run.start, run.row_class,
                                      run.class_util, run.resume_data.prices)
        self._paid: tuple[Fraction, ...] = ()

    def _values(self) -> tuple[Fraction, ...]:
        if self._source is not None:
            voter_row, start, row_class, class_util, prices = self._source
            left = class_budgets(start, row_class, class_util, prices)
            paid = {c: start - budget for c, budget in left.items()}
            self._paid = tuple(map(paid.__getitem__, row_class[voter_row].tolist()))
            self._source = None
        return self._paid

    def __getitem__(self, index):
        return self._values()[index]

    def __len__(self) -> int:
        return len(self._source[0]) if self._source is not None else len(self._paid)

    def __eq__(self, other) -> bool:
        if isinstance(other, VoterPayments | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"VoterPayments({self._values()!r})"
