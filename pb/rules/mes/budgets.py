"""Budgets and prices during one MES run: floats for speed, exact rationals where they decide.

Why this shape: keeping every budget class's budget as an exact rational costs one rational
subtraction per rich class per purchase, and on large files that was most of the time. So only
the *prices* are exact. A voter whose budget is still positive paid ρ_q·u_q for every bought
project q it supports (it was never poor: paying all leaves nothing), so a budget class c — the
voters with the same history, hence the same utility U[c, q] for each bought q — has budget

    start − Σ_q U[c, q]·ρ_q      and slope (stability, README §4.1)   1 − Σ_q U[c, q]·ρ'_q.

A sum of budgets over supporter groups with weights w is start·Σw − Σ_q K_q·ρ_q with the
integer vector K = w·U (numpy): one exact term per purchase so far instead of one per class.
Exact prices of bought projects need such a sum (what the poor pay); one class's exact budget is
computed only when a float comparison is too close to call.

Floats: every class budget ``class_budget_f`` is within ``error`` of the exact one (a bound
derived in :func:`pb.rules.mes.numeric.class_slack`, README §3.1), every slope within
``slack``·``class_abs_f`` (Σ|terms| of the slope). Each decision from floats subtracts these
bounds (plus the relative TOLERANCE for rounding in sums); whatever stays too close is decided
exactly, so every outcome is exact.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from pb.rules.mes.numeric import TOLERANCE, class_slack, exact, slope_error, to_exact
from pb.rules.mes.stability import exact_limit
from pb.rules.mes.tables import Groups, PricedWalk, Tables, walk
from pb.rules.mes.tracking import sleep_bound, unaffordable_f


class RunState:
    """Budgets of one run (see module docstring); ``_``-methods assume validated inputs.

    ``error`` bounds |float − exact| of every class budget: ``slack``·start, with ``slack``
    from :func:`~pb.rules.mes.numeric.class_slack` (purchases and :meth:`restore` included).
    Slopes likewise, relative to Σ|terms| (``slack``).
    """

    def __init__(self, tables: Tables, num_projects: int, start: Fraction, track: bool):
        self.tables = tables
        self.start = to_exact(start)
        self.start_f = float(start)
        self.slack = class_slack(num_projects)
        self.error = self.slack * self.start_f
        self.classes = 2  # class 0 is "no money left"; class 1 is the starting budget
        self.class_util = np.zeros((64, num_projects), dtype=tables.util_dtype)
        # per-class floats, with room for as many classes as class_util (see _grow)
        self.class_budget_f = np.zeros(64)
        self.class_budget_f[1] = self.start_f
        self.rho: dict = {}  # bought project -> exact price (numeric.exact)
        self.rho_slope: dict = {}  # bought project -> exact slope of its price (exact or 0)
        self.purchases = 0  # payments so far: float_rho's walks stay valid until the next
        self.sleep_bounds: dict[int, tuple[float, float]] = {}
        self._priced: dict[int, PricedWalk] = {}
        self.track = track
        self.limit = math.inf
        if track:  # slopes in x of the class budgets along this run's trace (README §4.1)
            self.class_slope_f = np.zeros(64)
            self.class_abs_f = np.zeros(64)
            self.class_slope_f[1] = self.class_abs_f[1] = 1.0

    def start_rows(self, rows: int) -> None:
        """Every merged ballot starts in class 1."""
        self.row_class = np.ones(rows, dtype=np.int64)
        self._rows_changed()

    def _rows_changed(self) -> None:
        self.budget_f = self.class_budget_f[self.row_class]
        if self.track:
            self.slope_f = self.class_slope_f[self.row_class]
            self.abs_f = self.class_abs_f[self.row_class]

    def restore(self, old, snap, x: Fraction) -> None:  # EqualSharesRun, Snapshot
        """The state of run ``old`` after snapshot ``snap``, moved along its trace to per-voter
        budgets x (exact) larger: prices move by their slopes, float budgets are recomputed
        from the prices (so their error does not grow from restore to restore)."""
        data = old.resume_data
        rho, rho_slope = data.prices, data.price_slopes
        shift = to_exact(x)
        prices = np.zeros(self.class_util.shape[1])
        for p in old.selected[: snap.selected]:
            self.rho[p] = rho[p] + rho_slope[p] * shift
            self.rho_slope[p] = rho_slope[p]
            prices[p] = float(self.rho[p])
        n = self.classes = snap.classes
        self.class_util = old.class_util[:n]
        utilities = self.class_util.astype(np.float64, copy=False)
        self.class_budget_f = self.start_f - utilities @ prices
        self.class_budget_f[0] = 0.0
        if self.track:
            self.class_slope_f, self.class_abs_f = data.class_slope[:n], data.class_size[:n]
        self._grow(n)  # copies, with room for the classes to come
        self.row_class = snap.row_class.copy()
        self._rows_changed()
        self.purchases = snap.selected

    def _grow(self, needed: int) -> None:
        """Room for at least ``needed`` classes in ``class_util`` and the per-class floats
        (entries past ``classes`` are never read before they are written)."""
        n, size = self.classes, 2 * needed
        grown = np.empty((size, self.class_util.shape[1]), dtype=self.class_util.dtype)
        grown[:n] = self.class_util[:n]
        self.class_util = grown
        names = ("class_budget_f", "class_slope_f", "class_abs_f") if self.track else (
            "class_budget_f",)
        for name in names:
            values = np.empty(size)
            values[:n] = getattr(self, name)[:n]
            setattr(self, name, values)

    # --- exact values in the basis of the prices -------------------------------------------

    def _exact_sum(self, classes: np.ndarray, weights: np.ndarray, slope: bool = False):
        """Σ w·budget (or Σ w·slope) over live classes, exactly; also returns K = w·U."""
        util = weights.astype(self.class_util.dtype) @ self.class_util.take(classes, axis=0)
        prices = self.rho_slope if slope else self.rho
        total = int(weights.sum()) * (1 if slope else self.start)
        bought = (util != 0).nonzero()[0]
        for q, k in zip(bought.tolist(), util[bought].tolist(), strict=True):
            total -= int(k) * prices[q]
        return total, util

    def exact_budget(self, c: int, slope: bool = False):
        """Exact budget (or slope) of class c ≠ 0."""
        row = self.class_util[c]
        prices = self.rho_slope if slope else self.rho
        total = 1 if slope else self.start
        for q in row.nonzero()[0].tolist():
            total -= int(row[q]) * prices[q]
        return total

    # --- prices ---------------------------------------------------------------------------

    def unaffordable(self, active: np.ndarray) -> np.ndarray:
        """The projects of ``active`` that floats prove unaffordable, all at once (one pass
        over every supporter: cheaper than one :meth:`float_rho` each on small profiles).
        Stability is not recorded: see :meth:`unaffordable_limit`."""
        t = self.tables
        size = len(active)
        available = np.bincount(t.flat_projects, weights=t.flat_weights * self.budget_f[
            t.flat_rows], minlength=size)
        spread = t.weight_total_arr * self.error
        gone = active & (available + spread < t.costs_arr * (1 - TOLERANCE))
        return gone

    def float_rho(self, p: int, record: bool = True) -> tuple[float, float, float] | None:
        """(ρ, error bound, lower bound of the slope in x of the lower bound ρ_S of its split S)
        of project p from float budgets (slope 0 unless tracking); None if clearly unaffordable
        (then, when tracking and ``record``, with its stability condition 2).

        With one utility for all supporters (cost, cardinality) the walk runs over the budget
        classes present, far fewer than the supporters, and is kept for :meth:`exact_rho`."""
        t = self.tables
        rows = t.rows[p]
        cost = t.costs_f[p]
        spread = t.weight_total_f[p] * self.error  # bounds Σ w·|b̃ − b|
        weight = t.weights_f[p]
        constant = t.constant[p]
        if constant:
            counts = np.bincount(self.row_class[rows], weights=weight)
            ids = (counts != 0).nonzero()[0]  # faster on a bool array
            if ids[0] == 0:
                ids = ids[1:]  # no money left
            budget, counts = self.class_budget_f[ids], counts[ids]
            available = float(counts @ budget)
        else:
            available = float(weight @ self.budget_f[rows])
        if available + spread < cost * (1 - TOLERANCE):
            if self.track and record:
                unaffordable_f(self, available, spread, weight, rows, True, cost)
            elif self.track and constant and len(ids):
                sleep_bound(self, p, ids, counts, budget, available, spread)
            return None
        if constant:
            order = budget.argsort()  # ties: any order gives the same ρ and a valid split
            u = t.constant_f[p]
            b, w = budget[order], counts[order]
        else:
            ids, u, budget = rows, t.values_f[p], self.budget_f[rows]
            order = np.argsort(budget / u, kind="stable")
            b, u, w = budget[order], u[order], weight[order]
        value, split, error = walk(cost, b, u, w, spread)
        if constant:
            self._priced[p] = PricedWalk(self.purchases, ids, counts, budget, order, value,
                                         split, error, available)
        slope = 0.0
        if self.track:
            poor = ids[order[:split]]
            rich = float(w[split:].sum()) * u if constant else float(w[split:] @ u[split:])
            slopes, sizes = (self.class_slope_f, self.class_abs_f) if constant else (
                self.slope_f, self.abs_f)
            slope = -float(w[:split] @ slopes[poor]) / rich
            size = float(w[:split] @ sizes[poor]) / rich
            slope -= slope_error(self.slack, split, size, slope)
        return value, error, slope

    def _groups(self, p: int):
        """Supporters of p grouped by (budget class, utility): classes, utilities, weights,
        and each supporter's group."""
        t = self.tables
        classes = self.row_class[t.rows[p]]
        values = t.values[p]
        if t.constant[p]:  # group by class without sorting: classes are small integers
            present = np.bincount(classes)
            keys = (present != 0).nonzero()[0]
            lookup = np.empty(len(present), dtype=np.int64)
            lookup[keys] = np.arange(len(keys))
            inverse = lookup[classes]
            group_classes = keys
            group_values = np.full(len(keys), values[0], dtype=values.dtype)
        elif t.value_span[p] and self.classes < 2**62 // t.value_span[p]:
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
        """Exact ρ of p and its :class:`Groups`, or (None, None) if unaffordable.

        Floats order the supporter groups and locate the poor/rich split (for one utility: as
        found by the last :meth:`float_rho`); the price is then computed exactly from that
        split and the split is checked exactly for every group whose float ratio is within
        the error bounds of ρ (elsewhere floats cannot be wrong).
        """
        t = self.tables
        cost, cost_f = t.costs[p], t.costs_f[p]
        spread = t.weight_total_f[p] * self.error
        if t.constant[p]:
            walked = self._priced.get(p)
            if walked is None or walked.purchases != self.purchases:
                if self.float_rho(p) is None:
                    return None, None
                walked = self._priced[p]
            classes, weights_f, budget_f = walked.classes, walked.weights, walked.budgets
            order, rho_f, split, error = walked.order, walked.rho, walked.split, walked.error
            available_f = walked.available
            values = t.values[p][: len(classes)]  # all equal; ≤ one class per supporter
            weights = weights_f.astype(np.int64)
            values_f = t.constant_f[p]  # the same for every group
            count = live = inverse = None  # supporters move with their class (pay)
        else:
            all_classes, all_values, all_weights, inverse = self._groups(p)
            count = len(all_classes)
            live = (all_classes != 0).nonzero()[0]
            classes, values, weights = all_classes[live], all_values[live], all_weights[live]
            budget_f = self.class_budget_f[classes]
            weights_f = weights.astype(np.float64)
            available_f = float(weights_f @ budget_f)
            values_f = values.astype(np.float64)
        if available_f - spread < cost_f * (1 + TOLERANCE):
            if available_f + spread < cost_f * (1 - TOLERANCE):
                if self.track:
                    unaffordable_f(self, available_f, spread, weights_f, classes, False, cost_f)
                return None, None
            available, _ = self._exact_sum(classes, weights)
            if available < cost:
                if self.track:
                    slope, _ = self._exact_sum(classes, weights, slope=True)
                    limit = exact_limit(cost - available, -slope, strict=True)
                    self.limit = min(self.limit, limit)
                return None, None
        ratio_f = budget_f / values_f
        if not t.constant[p]:
            order = np.argsort(ratio_f, kind="stable")
            rho_f, split, error = walk(cost_f, budget_f[order], values_f[order],
                                       weights_f[order], spread)
        poor = np.zeros(len(classes), dtype=bool)
        poor[order[:split]] = True
        rho, poor_util, rich_util = self._price(cost, poor, classes, values, weights, t.constant[p])
        near = (np.abs(ratio_f - rho_f) <= 2 * error + 2 * self.error / values_f).nonzero()[0]
        if len(near) and not self._split_holds(rho, near.tolist(), poor, classes, values):
            rho, poor, poor_util, rich_util = self._exact_walk(cost, classes, values, weights)
        return rho, Groups(count, live, classes, values, weights, poor, inverse, poor_util,
                           rich_util)

    def _price(self, cost, poor, classes, values, weights, same_value: bool):
        """Exact ρ for the split ``poor`` and K = w·U of the poor groups (``same_value``: all
        groups have the same utility)."""
        paid, poor_util = self._exact_sum(classes[poor], weights[poor])
        rich = ~poor
        if same_value:
            utility = int(values[0]) * int(weights[rich].sum())
        elif values.dtype != object and int(values.max()) * int(weights.sum()) < 2**62:
            utility = int(weights[rich] @ values[rich])  # exact: no int64 overflow
        else:
            utility = sum(int(w) * int(v) for w, v in zip(weights[rich], values[rich],
                                                          strict=True))
        return (cost - paid) / utility, poor_util, utility

    def _split_holds(self, rho, near, poor, classes, values) -> bool:
        for g in near:
            budget = self.exact_budget(int(classes[g]))
            price = rho * int(values[g])
            if bool(poor[g]) != (budget <= price) and budget != price:
                return False
        return True

    def _exact_walk(self, cost, classes, values, weights):
        """Fallback: sort groups exactly by budget/utility and walk (pabutools' definition)."""
        budgets = [self.exact_budget(c) for c in classes.tolist()]
        order = sorted(range(len(budgets)), key=lambda g: budgets[g] / int(values[g]))
        paid = exact(0)
        utility = sum(int(weights[g]) * int(values[g]) for g in order)
        for k, g in enumerate(order):
            rho = (cost - paid) / utility
            if rho * int(values[g]) <= budgets[g]:
                poor = np.zeros(len(budgets), dtype=bool)
                poor[order[:k]] = True
                return rho, poor, self._exact_sum(classes[poor], weights[poor])[1], utility
            paid += budgets[g] * int(weights[g])
            utility -= int(weights[g]) * int(values[g])
        raise AssertionError("affordable project without a price")  # unreachable

    # --- paying ---------------------------------------------------------------------------

    def pay(self, p: int, rho, groups: Groups, rho_slope=0) -> None:
        """Charge p's supporters min(budget, ρ·u) each; the rich move to new budget classes
        (``rho_slope``: slope in x of the price, when tracking)."""
        rich = (~groups.poor).nonzero()[0]
        parents = groups.classes[rich]
        utilities = groups.values[rich]
        # one utility (groups are classes): a scalar, else one float per group
        utilities_f = float(groups.values[0]) if groups.inverse is None else utilities.astype(
            np.float64)
        left_f = self.class_budget_f[parents] - float(rho) * utilities_f
        keep = left_f > 2 * self.error  # certainly positive; the rest is decided exactly
        for k in (~keep).nonzero()[0].tolist():
            left = self.exact_budget(int(parents[k])) - rho * int(utilities[k])
            if left > 0:
                keep[k], left_f[k] = True, float(left)
            elif self.track and rho_slope * int(utilities[k]) != self.exact_budget(
                int(parents[k]), slope=True
            ):
                self.limit = 0.0  # a budget that is exactly used up at x = 0 only
        first = self.classes
        if groups.inverse is None:  # one utility: supporters move with their class
            new_class = np.zeros(first, dtype=np.int64)  # poor/used up: class 0
        else:  # one new class per (class, utility) group
            new_class = np.zeros(groups.count, dtype=np.int64)
        if np.count_nonzero(keep):
            kept, parents, utilities = rich[keep], parents[keep], utilities[keep]
            n = len(kept)
            if first + n > len(self.class_util):
                self._grow(first + n)
            self.class_util[first:first + n] = self.class_util[parents]
            self.class_util[first:first + n, p] = utilities
            self.classes += n
            self.class_budget_f[first:first + n] = left_f[keep]
            moved = parents if groups.inverse is None else groups.live[kept]
            new_class[moved] = np.arange(first, first + n)
            if self.track:
                if groups.inverse is not None:
                    utilities_f = utilities_f[keep]
                step = float(rho_slope) * utilities_f
                self.class_slope_f[first:first + n] = self.class_slope_f[parents] - step
                self.class_abs_f[first:first + n] = self.class_abs_f[parents] + abs(step)
        rows = self.tables.rows[p]
        mapped = new_class[self.row_class[rows] if groups.inverse is None else groups.inverse]
        self.row_class[rows] = mapped
        self.budget_f[rows] = self.class_budget_f[mapped]
        if self.track:
            self.slope_f[rows] = self.class_slope_f[mapped]
            self.abs_f[rows] = self.class_abs_f[mapped]
        self.rho[p] = rho
        self.rho_slope[p] = rho_slope
        self.purchases += 1


