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
from fractions import Fraction

import numpy as np

from pb.instance import Instance, Money, Profile
from pb.rules.greedy import greedy_fill
from pb.rules.mes.run import EqualSharesRun, class_budgets, equal_shares_run
from pb.rules.mes.tables import tables
from pb.rules.mes.tail import tail_steps
from pb.rules.outcome import Outcome, make_outcome
from pb.rules.profile_arrays import UTILITIES, ProfileArrays, profile_arrays

COMPLETIONS = ("none", "add1u", "add1")


def default_increment(per_voter: Fraction) -> Money:
    """δ for add1: 1 unit up to B/n = 1000, then a power of ten between 0.1 % and 1 % of B/n."""
    if per_voter <= 1000:
        return 1
    return 10 ** (math.floor(math.log10(per_voter)) - 2)


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
    arrays = arrays or profile_arrays(instance, profile)
    rank = arrays.tie_rank(tie_break)
    support = arrays.support(utility)  # validates utility against the vote type
    if arrays.num_voters == 0:
        chosen = []
        if completion == "add1u":
            chosen = greedy_fill(arrays, chosen=[], tie_break=tie_break)[0]
        return make_outcome("mes", arrays, chosen, {"completion": completion})
    start = Fraction(arrays.budget) / arrays.num_voters
    step = default_increment(start) if increment is None else increment
    buyable = [
        p for p in range(arrays.num_projects) if support.totals[p] > 0 and arrays.costs[p] > 0
    ]

    buyable_mask = np.zeros(arrays.num_projects, dtype=bool)
    buyable_mask[buyable] = True
    track = completion == "add1u" or (completion == "add1" and not instance.fully_funded)

    def run_at(per_voter: Fraction, previous: EqualSharesRun | None = None) -> EqualSharesRun:
        return equal_shares_run(
            arrays,
            utility=utility,
            start=per_voter,
            tie_rank=rank,
            track=track,
            needed=float(step),
            resume=previous,
        )

    def cost_of(chosen) -> Money:
        return sum((arrays.costs[p] for p in chosen), 0)

    def same_steps(run: EqualSharesRun) -> int:
        """How many further steps provably select the same as ``run`` (stability)."""
        if not math.isfinite(run.stable_for):
            return 0
        return max(0, math.ceil(Fraction(run.stable_for) / step) - 1)

    runs = computed = 1
    result = current = run_at(start)
    result_start = start  # the last feasible per-voter budget; selects result.selected
    details: dict = {"completion": completion, "utility": utility}
    while completion != "none" and not (completion == "add1" and instance.fully_funded):
        spent = cost_of(current.selected)
        if spent > arrays.budget:
            break  # result stays the previous, feasible one
        result, result_start = current, current.start
        taken = set(current.selected)
        if completion == "add1u":
            if all(p in taken or spent + arrays.costs[p] > arrays.budget for p in buyable):
                break
        elif taken >= set(buyable):
            break
        # every per-voter budget up to start + skip·step selects the same: neither
        # infeasible, nor exhaustive, nor complete, so add1 would go on past all of them
        skip = same_steps(current)
        if track:  # or further, if only the tail of the run can change (tail)
            skip = max(skip, tail_steps(current, arrays, tables(arrays, utility), step,
                                        buyable_mask, exhaustive_stop=completion == "add1u",
                                        beyond=skip))
        result_start = current.start + skip * step
        current = run_at(current.start + (skip + 1) * step, current)
        runs += skip + 1
        computed += 1
    if completion == "add1":
        details["fully_funded"] = instance.fully_funded
    if result.start != result_start:  # details (ρ, payments) of the budget actually used
        result = equal_shares_run(
            arrays, utility=utility, start=result_start, tie_rank=rank, resume=result
        )
        computed += 1
    chosen = list(result.selected)
    scale = arrays.utility_scale(utility)  # ρ per unit of the unscaled utility
    details.update(
        mes_selected=tuple(arrays.ids[p] for p in chosen),
        per_voter_budget=result.start,
        increment=step if completion != "none" else None,
        runs=runs,
        computed_runs=computed,
        rho={arrays.ids[p]: rho * scale for p, rho in result.rho.items()},
        paid=VoterPayments(arrays, result),
    )
    if completion == "add1u":
        chosen, added = greedy_fill(arrays, chosen=chosen, tie_break=tie_break)
        details["greedy_added"] = tuple(arrays.ids[p] for p in added)
    return make_outcome("mes", arrays, chosen, details)


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
