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

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.rules.mes.budgets import RunState
from pb.rules.mes.numeric import TOLERANCE, exact, to_exact
from pb.rules.mes.prices import Offer, PriceBounds
from pb.rules.mes.resume import Frontier, ResumeData, Snapshot, restore, usable_snapshot
from pb.rules.mes.stability import exact_limit
from pb.rules.mes.tables import tables
from pb.rules.mes.tracking import price_slope, purchase_limit, unaffordable_limits
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
    run = RunState(tables(arrays, utility), arrays.num_projects, start, track)
    snapshots: list[Snapshot] = []
    origin = Fraction(start)
    if resume is not None and resume.start < start and (
        snapshot := usable_snapshot(resume, origin - resume.start)
    ):
        frontier = restore(run, resume, snapshot, origin - resume.start, snapshots)
    else:
        frontier = _first_frontier(run, arrays, utility)
    bounds = PriceBounds(run, frontier)
    while (offers := bounds.offers(tie_rank)) is not None:
        if not offers:
            continue  # floats said "just affordable"; exactly none was
        best = min(offers, key=lambda offer: (offer.rho, offer.rank))
        rho_slope = 0
        if run.track:
            rho_slope = price_slope(run, best.groups)
            run.limit = min(run.limit, _purchase_limit(run, best, rho_slope, offers))
            if run.limit > needed:  # else tracking ends with this purchase anyway
                bound = bounds.competitors(best.rho, rho_slope, offers)  # may lower run.limit
                run.limit = min(run.limit, bound)
        run.pay(best.project, best.rho, best.groups, rho_slope)
        frontier.selected.append(best.project)
        frontier.active[best.project] = False
        if run.track:
            if run.limit <= needed:
                run.track = False  # nothing more to gain from this run
            else:  # a resumed run wakes the asleep: they are not proven unaffordable yet
                snapshots.append(Snapshot(
                    origin, run.limit, len(frontier.selected), run.classes,
                    run.row_class.copy(), frontier.active | bounds.asleep,
                    frontier.lower.copy(), frontier.lower_slope.copy()))
    if run.track:
        unaffordable_limits(run, bounds.asleep.nonzero()[0])
    return EqualSharesRun(
        tuple(frontier.selected),
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


def _first_frontier(run: RunState, arrays: ProfileArrays, utility: str) -> Frontier:
    """A run from the start: every merged ballot in class 1, supported projects of cost 0
    bought, the other supported projects competing with lower bound c/Σu·(1 − TOLERANCE) of
    their price (everyone's budget is start ≥ ρ·u: the walk's first split)."""
    support = arrays.support(utility)
    costs = arrays.costs
    run.start_rows(len(arrays.weights))
    selected = [p for p in range(arrays.num_projects) if support.totals[p] > 0 and costs[p] == 0]
    run.rho.update((p, exact(0)) for p in selected)
    run.rho_slope.update((p, 0) for p in selected)
    frontier = Frontier(
        selected,
        np.array([support.totals[p] > 0 and costs[p] > 0 for p in range(len(costs))]),
        np.full(len(costs), np.inf),
        np.zeros(len(costs)),
    )
    for p in np.flatnonzero(frontier.active):
        frontier.lower[p] = float(costs[p]) / float(support.totals[p]) * (1 - TOLERANCE)
    return frontier


def _purchase_limit(run: RunState, best: Offer, rho_slope, offers: list[Offer]) -> float:
    """Stability conditions 1 (the split of the purchase) and 3 against the other exactly
    priced projects of the round (exact; ties by tie rank)."""
    limit = purchase_limit(run, best.rho, rho_slope, best.groups)
    for other in offers:
        if other.project != best.project:
            gap_slope = price_slope(run, other.groups) - rho_slope
            limit = min(limit, exact_limit(other.rho - best.rho, gap_slope,
                                           strict=other.rank < best.rank))
    return limit
