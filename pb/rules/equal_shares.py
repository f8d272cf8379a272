"""One run of the Method of Equal Shares, exact and fast (docs/pb-rules.md §2, MES).

Speed: merged ballots, numpy float64 for the bulk of the work, lazy re-evaluation (a project's
price ρ only grows as budgets shrink, so last round's ρ is a lower bound).
Exactness: budgets are kept exactly as ``Fraction`` per *budget class* (voters with equal
budget share a class; a purchase splits classes). Every decision that floats could get
wrong is redone exactly: the ρ of the bought project, ties within a relative 1e-9 window, and
affordability when a project's available money is within 1e-9 of its cost.

For add1 (:mod:`pb.rules.mes`) a run can also *track* itself: keep each budget class's slope
in the per-voter start budget, prove how far the start can grow without changing the run
(:mod:`pb.rules.mes_stability`), and leave snapshots from which a run with a larger start
resumes instead of recomputing the purchases that provably stay the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.rules.mes_stability import (
    Snapshot,
    competitors_limit,
    exact_limit,
    float_limit,
    price_slope,
    restore,
    split_limit,
    usable_snapshot,
)
from pb.rules.profile_arrays import ProfileArrays, SupportLists

try:  # gmpy2's rationals are ~5x faster than fractions.Fraction; same exact values
    from gmpy2 import mpq as exact
except ImportError:  # pragma: no cover - gmpy2 is optional
    exact = Fraction

WINDOW = 1e-9  # relative; float64 error after hundreds of operations is ~1e-13


@dataclass(frozen=True)
class EqualSharesRun:
    """Result of one MES run: bought projects in order, their ρ, and the final budgets
    (row ``r`` of the merged ballots ends with ``class_budget[row_class[r]]``, an exact
    rational: ``Fraction`` or gmpy2 ``mpq``).

    ``stable_for`` (only with ``track=True``): MES with per-voter budget ``start + x`` buys
    exactly ``selected``, in the same order, for every 0 ≤ x < ``stable_for``
    (see :mod:`pb.rules.mes_stability`)."""

    selected: tuple[int, ...]
    rho: dict[int, Fraction]
    start: Fraction
    class_budget: tuple[Fraction, ...]
    row_class: np.ndarray
    stable_for: float = 0.0
    resume_data: tuple = field(default=((), (), {}), repr=False, compare=False)


def exact_weighted_sum(values, weights):
    """Σ w·v over exact rationals, summing per denominator first (fast for many values)."""
    by_denominator: dict[int, int] = {}
    for value, weight in zip(values, weights, strict=True):
        d = int(value.denominator)
        by_denominator[d] = by_denominator.get(d, 0) + int(value.numerator) * int(weight)
    if not by_denominator:
        return exact(0)
    common = math.lcm(*by_denominator)
    return exact(sum(n * (common // d) for d, n in by_denominator.items()), common)


class _Tables:
    """Per-project arrays of one utility, cached on the ProfileArrays (built once per utility)."""

    def __init__(self, arrays: ProfileArrays, support: SupportLists):
        self.rows = support.rows
        self.weights = [arrays.weights[r] for r in support.rows]
        self.weights_f = [w.astype(np.float64) for w in self.weights]
        self.values = support.values
        self.values_f = [v.astype(np.float64) for v in support.values]
        self.constant = [len(v) == 0 or bool((v == v[0]).all()) for v in support.values]
        # utilities are small integers for points/Borda: (class, utility) packs into one int64
        self.value_span = [
            int(v.max()) + 1 if v.dtype != object and len(v) and v.max() < 2**31 else 0
            for v in support.values
        ]
        self.costs = [exact(c) if isinstance(c, int) else exact(c.numerator, c.denominator)
                      for c in arrays.costs]
        self.costs_f = [float(c) for c in arrays.costs]


def _tables(arrays: ProfileArrays, utility: str) -> _Tables:
    key = "equal_shares:" + utility
    if key not in arrays._support:
        arrays._support[key] = _Tables(arrays, arrays.support(utility))
    return arrays._support[key]


class _Run:
    """State of one run; ``_``-methods assume the inputs were validated by the caller."""

    def __init__(self, arrays: ProfileArrays, tables: _Tables, start: Fraction, track: bool):
        self.t = tables
        rows = len(arrays.weights)
        # class 0 is "no money left"; class 1 is the starting budget
        self.class_budget: list = [exact(0), exact(start.numerator, start.denominator)]
        self.class_budget_f = np.array([0.0, float(start)])
        self.row_class = np.ones(rows, dtype=np.int64)
        self.budget_f = np.full(rows, float(start))
        # with ``track``: each class's budget is class_budget + class_slope·x along the trace
        # of this run when every voter starts with x more (pb.rules.mes_stability)
        self.track = track
        self.limit = math.inf
        if track:
            self.class_slope: list = [exact(0), exact(1)]
            self.class_slope_f = np.array([0.0, 1.0])
            self.slope_f = np.ones(rows)

    def _unaffordable_f(self, available: float, slope: float, cost: float) -> None:
        """Stability condition 2, from floats: available + slope·x < cost."""
        self.limit = min(self.limit, float_limit(cost - available, -slope, cost, abs(slope)))

    def float_rho(self, p: int) -> tuple[float, float, float] | None:
        """(ρ, error bound, slope in x of the lower bound ρ_S of its split S) of project p
        from float budgets (slope 0 unless tracking); None if clearly unaffordable."""
        t = self.t
        budget = self.budget_f[t.rows[p]]
        weight = t.weights_f[p]
        cost = t.costs_f[p]
        available = float(weight @ budget)
        if available < cost * (1 - WINDOW):
            if self.track:
                self._unaffordable_f(available, float(weight @ self.slope_f[t.rows[p]]), cost)
            return None
        utility = t.values_f[p]
        if t.constant[p]:
            order = budget.argsort()  # ties: any order gives the same ρ and a valid split
        else:
            order = np.argsort(budget / utility, kind="stable")
        b, u, w = budget[order], utility[order], weight[order]
        value, split, error = _walk(cost, b, u, w)
        slope = 0.0
        if self.track:
            s = self.slope_f[t.rows[p]][order]
            slope = -float(w[:split] @ s[:split]) / float(w[split:] @ u[split:])
        return value, error, slope

    def _groups(self, p: int):
        """Supporters of p grouped by (budget class, utility): classes, utilities, weights,
        and each supporter's group."""
        t = self.t
        classes = self.row_class[t.rows[p]]
        values = t.values[p]
        if t.constant[p]:  # group by class without sorting: classes are small integers
            present = np.bincount(classes)
            keys = present.nonzero()[0]
            lookup = np.empty(len(present), dtype=np.int64)
            lookup[keys] = np.arange(len(keys))
            inverse = lookup[classes]
            group_classes = keys
            group_values = np.full(len(keys), values[0], dtype=values.dtype)
        elif t.value_span[p] and len(self.class_budget) < 2**62 // t.value_span[p]:
            span = t.value_span[p]
            keys, inverse = np.unique(classes * span + values, return_inverse=True)
            group_classes, group_values = keys // span, keys % span
        else:
            pairs = np.stack([classes, values.astype(np.int64)], axis=1)
            keys, inverse = np.unique(pairs, axis=0, return_inverse=True)
            group_classes, group_values = keys[:, 0], keys[:, 1]
        inverse = inverse.reshape(-1)
        group_weights = np.bincount(inverse, weights=t.weights_f[p]).astype(np.int64)
        return group_classes, group_values, group_weights, inverse

    def exact_rho(self, p: int):
        """Exact ρ of p and what :meth:`pay` needs, or (None, None) if unaffordable.

        Floats order the supporter groups and locate the poor/rich split; the price is then
        computed exactly from that split and the split is checked exactly for every group
        whose float ratio is within the window of ρ (elsewhere floats cannot be wrong).
        """
        t = self.t
        cost = t.costs[p]
        all_classes, all_values, all_weights, inverse = self._groups(p)
        live = (all_classes != 0).nonzero()[0]
        classes, values, weights = all_classes[live], all_values[live], all_weights[live]
        budget_f = self.class_budget_f[classes]
        values_f = values.astype(np.float64)
        weights_f = weights.astype(np.float64)
        available_f = float(weights_f @ budget_f)
        budgets = list(map(self.class_budget.__getitem__, classes.tolist()))
        if available_f < t.costs_f[p] * (1 + WINDOW):
            if available_f < t.costs_f[p] * (1 - WINDOW):
                if self.track:
                    slope = float(weights_f @ self.class_slope_f[classes])
                    self._unaffordable_f(available_f, slope, t.costs_f[p])
                return None, None
            available = exact_weighted_sum(budgets, weights)
            if available < cost:
                if self.track:
                    slope = sum(self.class_slope[c] * w for c, w in zip(
                        classes.tolist(), weights.tolist(), strict=True))
                    limit = exact_limit(cost - available, -slope, strict=True)
                    self.limit = min(self.limit, limit)
                return None, None
        ratio_f = budget_f / values_f
        order = np.argsort(ratio_f, kind="stable")
        rho_f, split, error = _walk(
            t.costs_f[p], budget_f[order], values_f[order], weights_f[order]
        )
        poor, rich = order[:split].tolist(), order[split:].tolist()
        rho = self._price(cost, poor, rich, budgets, values, weights)
        near = (np.abs(ratio_f - rho_f) <= 2 * error).nonzero()[0].tolist()
        if not self._split_holds(rho, near, set(poor), budgets, values):
            rho, poor = self._exact_walk(cost, budgets, values, weights)
        return rho, (len(all_classes), live, values, budgets, set(poor), inverse, classes, weights)

    def price_slope(self, groups):
        """Exact slope in x of the price ρ_S for the split found by :meth:`exact_rho`."""
        _, _, values, _, poor, _, classes, weights = groups
        slopes = [self.class_slope[c] for c in classes.tolist()]
        return price_slope(poor, slopes, values, weights)

    def split_limit(self, rho, rho_slope, groups) -> float:
        """Stability condition 1 for buying at ``rho`` + ``rho_slope``·x with ``groups``."""
        _, _, values, budgets, poor, _, classes, weights = groups
        slopes = [self.class_slope[c] for c in classes.tolist()]
        return split_limit(rho, rho_slope, budgets, slopes, values, weights, poor)

    @staticmethod
    def _price(cost, poor, rich, budgets, values, weights) -> Fraction:
        paid = exact_weighted_sum([budgets[g] for g in poor], weights[poor])
        if values.dtype != object and int(values.max()) * int(weights.sum()) < 2**62:
            utility = int(weights[rich] @ values[rich])  # exact: no int64 overflow
        else:
            utility = int(sum(int(weights[g]) * int(values[g]) for g in rich))
        return (cost - paid) / utility

    @staticmethod
    def _split_holds(rho, near, poor, budgets, values) -> bool:
        for g in near:
            pays_all = budgets[g] <= rho * int(values[g])
            if (g in poor) != pays_all and budgets[g] != rho * int(values[g]):
                return False
        return True

    @staticmethod
    def _exact_walk(cost, budgets, values, weights):
        """Fallback: sort groups exactly by budget/utility and walk (pabutools' definition)."""
        order = sorted(range(len(budgets)), key=lambda g: budgets[g] / int(values[g]))
        paid = exact(0)
        utility = sum(int(weights[g]) * int(values[g]) for g in order)
        for k, g in enumerate(order):
            rho = (cost - paid) / utility
            if rho * int(values[g]) <= budgets[g]:
                return rho, order[:k]
            paid += budgets[g] * int(weights[g])
            utility -= int(weights[g]) * int(values[g])
        raise AssertionError("affordable project without a price")  # unreachable

    def pay(self, p: int, rho, groups, rho_slope=0) -> None:
        """Charge p's supporters min(budget, ρ·u) each, splitting their budget classes
        (``rho_slope``: slope in x of the price, when tracking)."""
        count, live, values, budgets, poor, inverse, classes, _ = groups
        new_class = np.zeros(count, dtype=np.int64)  # groups without money stay in class 0
        rich = [g for g in range(len(budgets)) if g not in poor]
        if self.t.constant[p]:
            utilities = [int(values[0])] * len(values)
            paid = rho * utilities[0]
            left = [budgets[g] - paid for g in rich]
        else:
            utilities = values.tolist()
            price = {u: rho * u for u in set(utilities)}
            left = [budgets[g] - price[utilities[g]] for g in rich]
        left_list = list(map(float, left))
        left_f = np.array(left_list, dtype=np.float64)
        keep = [k for k, v in enumerate(left_list) if v > 0 or left[k] > 0]
        if self.track:
            slope_of = classes.tolist()
            left_slope = [self.class_slope[slope_of[g]] - rho_slope * utilities[g] for g in rich]
            if any(left_slope[k] != 0 for k in range(len(rich)) if not left[k] > 0):
                self.limit = 0.0  # a budget that is exactly used up at x = 0 only
        if keep:
            first = len(self.class_budget)
            self.class_budget.extend(left if len(keep) == len(left) else [left[k] for k in keep])
            self.class_budget_f = np.concatenate(
                [self.class_budget_f[:first], left_f[keep]]
            )
            new_class[live[[rich[k] for k in keep]]] = np.arange(first, first + len(keep))
            if self.track:
                self.class_slope.extend(left_slope[k] for k in keep)
                self.class_slope_f = np.concatenate(
                    [self.class_slope_f, [float(left_slope[k]) for k in keep]]
                )
        rows = self.t.rows[p]
        mapped = new_class[inverse]
        self.row_class[rows] = mapped
        self.budget_f[rows] = self.class_budget_f[mapped]
        if self.track:
            self.slope_f[rows] = self.class_slope_f[mapped]


def _walk(cost: float, b: np.ndarray, u: np.ndarray, w: np.ndarray):
    """Float price, poor/rich split and an error bound, for supporters sorted by budget/utility.

    The bound covers rounding in the sums (≤ n·2⁻⁵² of each) including the cancellation in
    cost − (paid by the poor) when the rich carry a tiny share, plus the relative WINDOW.
    """
    paid = w * b
    poor_before = paid.cumsum() - paid
    utility_from = (w * u)[::-1].cumsum()[::-1]
    rho = (cost - poor_before) / utility_from
    fits = rho * u <= b * (1 + 1e-12)
    j = int(fits.argmax())
    if not fits[j]:  # none fits
        j = len(rho) - 1
    value = float(rho[j])
    error = 1e-15 * (len(b) + 8) * (cost + float(poor_before[j])) / float(utility_from[j])
    return value, j, error + WINDOW * abs(value)


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
    """Run MES once with per-voter budget ``start`` (docs/pb-rules.md §2).

    Projects of cost 0 with support are bought first; then, each round, the affordable project
    with the smallest ρ (ties: lowest ``tie_rank``), until none is affordable.

    With ``track``, also prove for how much more per-voter budget the run stays the same
    (``stable_for``, :mod:`pb.rules.mes_stability`); tracking stops once that is ≤ ``needed``.
    ``resume``: a tracked run with a smaller ``start``; the purchases of it that provably
    stay the same at ``start`` are taken over instead of being recomputed.
    """
    support = arrays.support(utility)
    tables = _tables(arrays, utility)
    run = _Run(arrays, tables, start, track)
    costs = arrays.costs
    snapshots: list[Snapshot] = []
    origin = Fraction(start)
    rho_slopes: dict[int, object] = {}
    if resume is not None and resume.start < start and (
        snapshot := usable_snapshot(resume, origin - resume.start)
    ):
        selected, rhos, active, lower, lower_slope = restore(
            run, resume, snapshot, origin - resume.start, snapshots, rho_slopes
        )
    else:
        selected = [
            p for p in range(arrays.num_projects) if support.totals[p] > 0 and costs[p] == 0
        ]
        rhos = {p: exact(0) for p in selected}
        rho_slopes.update((p, 0) for p in selected)
        active = np.array([support.totals[p] > 0 and costs[p] > 0 for p in range(len(costs))])
        # lower: bounds on each project's current ρ (a stale lower bound stays valid:
        # budgets only shrink, so ρ only grows); lower + lower_slope·x bounds it at start + x
        lower = np.full(len(costs), np.inf)
        lower_slope = np.zeros(len(costs))
        for p in np.flatnonzero(active):
            lower[p] = float(costs[p]) / float(support.totals[p]) * (1 - WINDOW)
    upper = np.full(len(costs), np.inf)

    def refresh(k: int) -> None:
        estimate = run.float_rho(k)
        if estimate is None:
            active[k] = False
        else:
            lower[k], upper[k] = estimate[0] - estimate[1], estimate[0] + estimate[1]
            lower_slope[k] = estimate[2]
            fresh[k] = True

    while active.any():
        fresh = np.zeros(len(costs), dtype=bool)
        masked = np.where(active, lower, np.inf)  # kept up to date by the loop below
        while True:
            j = int(masked.argmin())
            if masked[j] == np.inf and not active.any():
                break
            if fresh[j]:
                break
            refresh(j)
            masked[j] = lower[j] if active[j] else np.inf
        if not active.any():
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
            rho_slope = run.price_slope(groups)
            limit = run.split_limit(rho, rho_slope, groups)
            for other_rho, other_rank, q, other_groups in priced:
                if q != p:
                    gap_slope = run.price_slope(other_groups) - rho_slope
                    limit = min(limit, exact_limit(
                        other_rho - rho, gap_slope, strict=other_rank < rank))
            limit = min(run.limit, limit)
            others = active.copy()
            others[[q for _, _, q, _ in priced]] = False
            others = others.nonzero()[0]
            bounds = competitors_limit(
                lower[others], lower_slope[others], float(rho), float(rho_slope))
            weak = others[(bounds < limit) & ~fresh[others]]
            if len(weak):  # stale lower bounds in the way: a current one is tighter
                for k in weak.tolist():
                    refresh(k)
                limit = min(run.limit, limit)  # refresh may find projects unaffordable
                others = others[active[others]]
                bounds = competitors_limit(
                    lower[others], lower_slope[others], float(rho), float(rho_slope))
            run.limit = min(limit, float(bounds.min()) if len(bounds) else math.inf)
        run.pay(p, rho, groups, rho_slope)
        selected.append(p)
        rhos[p] = rho
        rho_slopes[p] = rho_slope
        active[p] = False
        if run.track:
            if run.limit <= needed:
                run.track = False  # nothing more to gain from this run
            else:
                snapshots.append(Snapshot(
                    origin, run.limit, len(selected), len(run.class_slope),
                    run.row_class.copy(), active.copy(), lower.copy(), lower_slope.copy()))
    return EqualSharesRun(
        tuple(selected),
        {p: Fraction(int(r.numerator), int(r.denominator)) for p, r in rhos.items()},
        Fraction(start),
        tuple(run.class_budget),
        run.row_class,
        run.limit if track else 0.0,
        (tuple(snapshots), tuple(run.class_slope) if track else (), rho_slopes),
    )
