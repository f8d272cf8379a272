"""One run of the Method of Equal Shares, exact and fast (docs/pb-rules.md §2, MES).

Speed: merged ballots, numpy float64 for the bulk of the work, lazy re-evaluation (a project's
price ρ only grows as budgets shrink, so last round's ρ is a lower bound).
Exactness: budgets are kept exactly as ``Fraction`` per *budget class* (voters with equal
budget share a class; a purchase splits classes). Every decision that floats could get
wrong is redone exactly: the ρ of the bought project, ties within a relative 1e-9 window, and
affordability when a project's available money is within 1e-9 of its cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pb.rules.profile_arrays import ProfileArrays, SupportLists

WINDOW = 1e-9  # relative; float64 error after hundreds of operations is ~1e-13


@dataclass(frozen=True)
class EqualSharesRun:
    """Result of one MES run: bought projects in order, their ρ, each row's final budget."""

    selected: tuple[int, ...]
    rho: dict[int, Fraction]
    start: Fraction
    row_budget: tuple[Fraction, ...]


def exact_weighted_sum(values, weights) -> Fraction:
    """Σ w·v over Fractions, summing per denominator first (fast for many values)."""
    by_denominator: dict[int, int] = {}
    for value, weight in zip(values, weights, strict=True):
        value = Fraction(value)
        d = value.denominator
        by_denominator[d] = by_denominator.get(d, 0) + value.numerator * int(weight)
    if not by_denominator:
        return Fraction(0)
    common = math.lcm(*by_denominator)
    return Fraction(sum(n * (common // d) for d, n in by_denominator.items()), common)


class _Run:
    """State of one run; ``_``-methods assume the inputs were validated by the caller."""

    def __init__(self, arrays: ProfileArrays, support: SupportLists, start: Fraction):
        self.arrays = arrays
        self.support = support
        self.costs = arrays.costs
        self.weights = arrays.weights
        self.weights_f = arrays.weights.astype(np.float64)
        rows = len(arrays.weights)
        # class 0 is "no money left"; class 1 is the starting budget
        self.class_budget: list[Fraction] = [Fraction(0), Fraction(start)]
        self.row_class = np.ones(rows, dtype=np.int64)
        self.budget_f = np.full(rows, float(start))
        self.values_f = [v.astype(np.float64) for v in support.values]
        self.constant_utility = [len(v) == 0 or bool((v == v[0]).all()) for v in support.values]

    def float_rho(self, p: int) -> float | None:
        """ρ of project p from float budgets; None if clearly unaffordable."""
        rows = self.support.rows[p]
        budget = self.budget_f[rows]
        weight = self.weights_f[rows]
        cost = float(self.costs[p])
        if float(weight @ budget) < cost * (1 - WINDOW):
            return None
        utility = self.values_f[p]
        if self.constant_utility[p]:
            order = np.argsort(budget, kind="stable")
        else:
            order = np.argsort(budget / utility, kind="stable")
        b, u, w = budget[order], utility[order], weight[order]
        paid = w * b
        poor_before = np.cumsum(paid) - paid
        utility_from = np.cumsum((w * u)[::-1])[::-1]
        rho = (cost - poor_before) / utility_from
        fits = rho * u <= b * (1 + 1e-12)
        j = int(np.argmax(fits)) if fits.any() else len(rho) - 1
        return float(rho[j])

    def _groups(self, p: int):
        """Supporters of p grouped by (budget class, utility): classes, utilities, weights, inverse."""
        rows = self.support.rows[p]
        classes = self.row_class[rows]
        values = self.support.values[p]
        if self.constant_utility[p]:
            keys, inverse = np.unique(classes, return_inverse=True)
            group_classes = keys
            group_values = np.full(len(keys), values[0] if len(values) else 0, dtype=values.dtype)
        else:
            pairs = np.stack([classes, values.astype(np.int64)], axis=1)
            keys, inverse = np.unique(pairs, axis=0, return_inverse=True)
            group_classes, group_values = keys[:, 0], keys[:, 1]
        inverse = inverse.reshape(-1)
        group_weights = np.bincount(inverse, weights=self.weights[rows].astype(np.float64))
        return group_classes, group_values, group_weights.astype(np.int64), inverse

    def exact_rho(self, p: int):
        """Exact ρ of p and its supporter groups, or (None, None) if unaffordable."""
        classes, values, weights, inverse = self._groups(p)
        budgets = [self.class_budget[c] for c in classes]
        cost = self.costs[p]
        if exact_weighted_sum(budgets, weights) < cost:
            return None, None
        live = [g for g in range(len(classes)) if budgets[g] > 0]
        if self.constant_utility[p]:
            live.sort(key=lambda g: budgets[g])
        else:
            live.sort(key=lambda g: budgets[g] / int(values[g]))
        poor = Fraction(0)
        utility_rest = sum(int(weights[g]) * int(values[g]) for g in live)
        for g in live:
            u = int(values[g])
            rho = (cost - poor) / utility_rest
            if rho * u <= budgets[g]:
                return rho, (classes, values, inverse, budgets)
            poor += budgets[g] * int(weights[g])
            utility_rest -= int(weights[g]) * u
        raise AssertionError("affordable project without a price")  # unreachable

    def pay(self, p: int, rho: Fraction, groups) -> None:
        """Charge p's supporters min(budget, ρ·u) each, splitting their budget classes."""
        classes, values, inverse, budgets = groups
        new_class = np.empty(len(classes), dtype=np.int64)
        new_float = np.empty(len(classes), dtype=np.float64)
        for g in range(len(classes)):
            left = budgets[g] - rho * int(values[g])
            if left <= 0:
                new_class[g], new_float[g] = 0, 0.0
            else:
                new_class[g] = len(self.class_budget)
                self.class_budget.append(left)
                new_float[g] = float(left)
        rows = self.support.rows[p]
        self.row_class[rows] = new_class[inverse]
        self.budget_f[rows] = new_float[inverse]


def equal_shares_run(
    arrays: ProfileArrays,
    *,
    utility: str,
    start: Fraction,
    tie_rank: np.ndarray,
) -> EqualSharesRun:
    """Run MES once with per-voter budget ``start`` (docs/pb-rules.md §2).

    Projects of cost 0 with support are bought first; then, each round, the affordable project
    with the smallest ρ (ties: lowest ``tie_rank``), until none is affordable.
    """
    support = arrays.support(utility)
    run = _Run(arrays, support, start)
    costs = arrays.costs
    selected = [p for p in range(arrays.num_projects) if support.totals[p] > 0 and costs[p] == 0]
    rhos: dict[int, Fraction] = {p: Fraction(0) for p in selected}
    active = np.array([support.totals[p] > 0 and costs[p] > 0 for p in range(len(costs))])
    lower = np.full(len(costs), np.inf)
    for p in np.flatnonzero(active):
        lower[p] = float(costs[p]) / float(support.totals[p])
    while active.any():
        fresh = np.zeros(len(costs), dtype=bool)
        best = None
        while active.any():
            masked = np.where(active, lower, np.inf)
            j = int(np.argmin(masked))
            if fresh[j]:
                best = lower[j]
                break
            rho = run.float_rho(j)
            if rho is None:
                active[j] = False
            else:
                lower[j], fresh[j] = rho, True
        if best is None:
            break
        while True:
            stale = np.flatnonzero(active & ~fresh & (lower <= best * (1 + WINDOW)))
            if len(stale) == 0:
                break
            for k in stale:
                rho = run.float_rho(int(k))
                if rho is None:
                    active[k] = False
                else:
                    lower[k], fresh[k] = rho, True
        candidates = np.flatnonzero(active & fresh & (lower <= best * (1 + WINDOW)))
        priced = []
        for k in candidates:
            rho, groups = run.exact_rho(int(k))
            if rho is None:
                active[k] = False  # floats said "just affordable"; exactly it is not
            else:
                priced.append((rho, int(tie_rank[k]), int(k), groups))
        if not priced:
            continue
        rho, _, p, groups = min(priced, key=lambda item: (item[0], item[1]))
        run.pay(p, rho, groups)
        selected.append(p)
        rhos[p] = rho
        active[p] = False
    final = tuple(run.class_budget[c] for c in run.row_class)
    return EqualSharesRun(tuple(selected), rhos, Fraction(start), final)
