"""One run of the Method of Equal Shares, exact and fast (README §1; docs/pb-rules.md §2, MES).

The rule itself, plainly, is :func:`pb.rules.mes.reference.equal_shares`: read that first.

Speed: merged ballots, numpy float64 for the bulk of the work, lazy re-evaluation (a project's
price ρ only grows as budgets shrink, so last round's ρ is a lower bound).
Exactness: prices of bought projects are exact rationals and budgets are floats with a rigorous
error bound, exact on demand (:mod:`pb.rules.mes.budgets`, README §3). Every decision that
floats could get wrong is redone exactly: the ρ of the bought project, ties within the error
bounds, the poor/rich split near ρ, affordability near the cost, and whether a budget is used up.

For add1 (:mod:`pb.rules.mes.rule`) a run can also *track* itself: keep each budget class's slope
in the per-voter start budget, prove how far the start can grow without changing the run
(:mod:`pb.rules.mes.stability`, README §4), and leave snapshots from which a run with a larger start
resumes (:mod:`pb.rules.mes.resume`) instead of recomputing the purchases that provably stay
the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.rules.mes.budgets import RunState
from pb.rules.mes.numeric import TOLERANCE, exact, to_exact
from pb.rules.mes.resume import Frontier, ResumeData, Snapshot, restore, usable_snapshot
from pb.rules.mes.stability import competitors_limit, exact_limit
from pb.rules.mes.tables import tables
from pb.rules.mes.tracking import (
    price_slope,
    purchase_limit,
    unaffordable_limit,
    unaffordable_limits,
)
from pb.rules.profile_arrays import ProfileArrays


@dataclass(frozen=True)
class EqualSharesRun:
    """Result of one MES run: bought projects in order, their ρ, and the final budget classes
    (row ``r`` of the merged ballots ends in class ``row_class[r]``; :meth:`row_budgets`).

    ``stable_for`` (only with ``track=True``): MES with per-voter budget ``start + x`` buys
    exactly ``selected``, in the same order, for every 0 ≤ x < ``stable_for``
    (see :mod:`pb.rules.mes.stability`)."""

    selected: tuple[int, ...]
    start: Fraction
    row_class: np.ndarray
    stable_for: float = 0.0
    class_util: np.ndarray | None = field(default=None, repr=False, compare=False)
    resume_data: ResumeData = field(default_factory=lambda: ResumeData({}, {}), repr=False,
                                    compare=False)

    @property
    def rho(self) -> dict[int, Fraction]:
        """Price of each bought project (converted only when asked: most runs of add1 are
        only looked at for what they select)."""
        return {p: Fraction(int(r.numerator), int(r.denominator))
                for p, r in self.resume_data.prices.items()}

    def row_budgets(self) -> list[Fraction]:
        """Exact final budget of every merged ballot."""
        by_class = class_budgets(self.start, self.row_class, self.class_util,
                                 self.resume_data.prices)
        return [by_class[c] for c in self.row_class.tolist()]


def class_budgets(start: Fraction, row_class: np.ndarray, class_util: np.ndarray,
                  prices: dict) -> dict[int, Fraction]:
    """Exact budget start − Σ_q U[class, q]·ρ_q of every class in ``row_class``."""
    begin = to_exact(start)
    by_class = {}
    for c in np.bincount(row_class).nonzero()[0].tolist():
        left = exact(0)
        if c:
            row = class_util[c]
            left = begin - sum((int(row[q]) * prices[q] for q in row.nonzero()[0].tolist()),
                               exact(0))
        by_class[c] = Fraction(int(left.numerator), int(left.denominator))
    return by_class


def equal_shares_run(
    arrays: ProfileArrays,
    *,
    utility: str,
    start: Fraction,
    tie_rank: np.ndarray,
    track: bool = False,
    needed: float = 0.0,
    resume: EqualSharesRun | None = None,
) -> EqualSharesRun:
    """Run MES once with per-voter budget ``start`` (README §1; docs/pb-rules.md §2).

    Projects of cost 0 with support are bought first; then, each round, the affordable project
    with the smallest ρ (ties: lowest ``tie_rank``), until none is affordable.

    With ``track``, also prove for how much more per-voter budget the run stays the same
    (``stable_for``, :mod:`pb.rules.mes.stability`); tracking stops once that is ≤ ``needed``.
    ``resume``: a tracked run with a smaller ``start``; the purchases of it that provably
    stay the same at ``start`` are taken over instead of being recomputed.
    """
    support = arrays.support(utility)
    run = RunState(tables(arrays, utility), arrays.num_projects, start, track)
    costs = arrays.costs
    snapshots: list[Snapshot] = []
    origin = Fraction(start)
    if resume is not None and resume.start < start and (
        snapshot := usable_snapshot(resume, origin - resume.start)
    ):
        frontier = restore(run, resume, snapshot, origin - resume.start, snapshots)
    else:
        run.start_rows(len(arrays.weights))
        selected = [
            p for p in range(arrays.num_projects) if support.totals[p] > 0 and costs[p] == 0
        ]
        run.rho.update((p, exact(0)) for p in selected)
        run.rho_slope.update((p, 0) for p in selected)
        frontier = Frontier(
            selected,
            np.array([support.totals[p] > 0 and costs[p] > 0 for p in range(len(costs))]),
            np.full(len(costs), np.inf),
            np.zeros(len(costs)),
        )
        # lower: bounds on each project's current ρ (a stale lower bound stays valid:
        # budgets only shrink, so ρ only grows); lower + lower_slope·x bounds it at start + x
        for p in np.flatnonzero(frontier.active):
            frontier.lower[p] = float(costs[p]) / float(support.totals[p]) * (1 - TOLERANCE)
    # the main loop works on the frontier's arrays in place
    selected, active = frontier.selected, frontier.active
    lower, lower_slope = frontier.lower, frontier.lower_slope
    upper = np.full(len(costs), np.inf)
    # asleep: unaffordable at x = 0, but with tracking only proven so at the end of the run
    # (where budgets are smallest, so it stays so for the largest x); until then it is a
    # competitor with its lower bound, which holds whenever it is affordable
    asleep = np.zeros(len(costs), dtype=bool)
    fresh = np.zeros(len(costs), dtype=bool)  # estimated this round (reset each round)

    def refresh(k: int) -> None:
        estimate = run.float_rho(k, record=False)
        if estimate is None:
            active[k], asleep[k] = False, True
            if k in run.sleep_bounds:  # tighter than the last (affordable) estimate
                lower[k], lower_slope[k] = run.sleep_bounds.pop(k)
            if run.tables.check_all:  # where one project is out of money, often more are
                gone = run.unaffordable(active)
                active[gone], asleep[gone] = False, True
        else:
            lower[k], upper[k] = estimate[0] - estimate[1], estimate[0] + estimate[1]
            lower_slope[k] = estimate[2]
            fresh[k] = True

    def competitors(rho, rho_slope, priced) -> float:
        """Stability condition 3 against the float lower bounds of all other projects."""
        others = active | asleep
        others[[q for _, _, q, _ in priced]] = False
        others = others.nonzero()[0]
        bounds = competitors_limit(lower[others], lower_slope[others], float(rho), float(rho_slope))
        weak = (bounds < run.limit) & ~fresh[others]
        if np.count_nonzero(weak):  # stale lower bounds in the way: a current one is tighter
            redo = others[weak]
            for k in redo.tolist():
                if active[k]:
                    refresh(k)
                if asleep[k]:  # unaffordable now: prove it stays so
                    unaffordable_limit(run, k)
                    asleep[k] = False
            redo = redo[active[redo] | asleep[redo]]
            bounds = np.concatenate([bounds[~weak], competitors_limit(
                lower[redo], lower_slope[redo], float(rho), float(rho_slope))])
        return float(bounds.min()) if len(bounds) else math.inf

    while np.count_nonzero(active):
        fresh = np.zeros(len(costs), dtype=bool)
        masked = np.where(active, lower, np.inf)  # kept up to date by the loop below
        while True:
            j = int(masked.argmin())
            if masked[j] == np.inf and not np.count_nonzero(active):
                break
            if fresh[j]:
                break
            refresh(j)
            if active[j]:
                masked[j] = lower[j]
            else:
                masked[~active] = np.inf
        if not np.count_nonzero(active):
            break
        while True:  # every project whose ρ may be the minimum gets a fresh estimate
            best = float(np.where(active & fresh, upper, np.inf).min())
            stale = (active & ~fresh & (lower <= best)).nonzero()[0]
            if len(stale) == 0:
                break
            for k in stale.tolist():
                refresh(k)
        candidates = (active & fresh & (lower <= best)).nonzero()[0]
        priced = []
        for k in candidates:
            rho, groups = run.exact_rho(int(k))
            if rho is None:
                active[k] = False  # floats said "just affordable"; exactly it is not
            else:
                priced.append((rho, int(tie_rank[k]), int(k), groups))
        if not priced:
            continue
        rho, rank, p, groups = min(priced, key=lambda item: (item[0], item[1]))
        rho_slope = 0
        if run.track:
            rho_slope = price_slope(run, groups)
            limit = purchase_limit(run, rho, rho_slope, groups)
            for other_rho, other_rank, q, other_groups in priced:
                if q != p:
                    gap_slope = price_slope(run, other_groups) - rho_slope
                    limit = min(limit, exact_limit(
                        other_rho - rho, gap_slope, strict=other_rank < rank))
            run.limit = min(run.limit, limit)
            if run.limit > needed:  # else tracking ends with this purchase anyway
                bound = competitors(rho, rho_slope, priced)  # may lower run.limit itself
                run.limit = min(run.limit, bound)
        run.pay(p, rho, groups, rho_slope)
        selected.append(p)
        active[p] = False
        if run.track:
            if run.limit <= needed:
                run.track = False  # nothing more to gain from this run
            else:
                snapshots.append(Snapshot(  # a resumed run wakes the asleep: not proven yet
                    origin, run.limit, len(selected), run.classes,
                    run.row_class.copy(), active | asleep, lower.copy(), lower_slope.copy()))
    if run.track:
        unaffordable_limits(run, asleep.nonzero()[0])
    return EqualSharesRun(
        tuple(selected),
        Fraction(start),
        run.row_class,
        run.limit if track else 0.0,
        run.class_util[: run.classes],
        ResumeData(
            prices=run.rho,
            price_slopes=run.rho_slope,
            snapshots=tuple(snapshots),
            class_slope=run.class_slope_f if track else None,
            class_size=run.class_abs_f if track else None,
            class_budget=run.class_budget_f[: run.classes] if track else None,
        ),
    )
