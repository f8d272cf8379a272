"""The stability conditions of :mod:`pb.rules.mes.stability`, evaluated on the state of a
tracked MES run (:class:`pb.rules.mes.budgets.RunState`) from its floats and error bounds,
exactly where those leave the sign open (README §4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pb.rules.mes.numeric import TOLERANCE, UNIT, exact, round_down, slope_error, sum_error
from pb.rules.mes.stability import float_limit, split_limit
from pb.rules.mes.tables import Groups

if TYPE_CHECKING:
    from pb.rules.mes.budgets import RunState


def unaffordable_f(run: RunState, available: float, spread: float, weights_f, rows_or_classes,
                    per_row: bool, cost: float) -> None:
    """Stability condition 2 from floats: available + slope·x < cost stays true."""
    slopes = run.slope_f[rows_or_classes] if per_row else run.class_slope_f[rows_or_classes]
    sizes = run.abs_f[rows_or_classes] if per_row else run.class_abs_f[rows_or_classes]
    slope = float(weights_f @ slopes)
    error = slope_error(run.slack, len(slopes), float(weights_f @ sizes))
    run.limit = min(run.limit, float_limit(
        cost - available, -slope, cost, abs(slope), spread, error))


def unaffordable_limit(run: RunState, p: int) -> None:
    """Stability condition 2 for p, unaffordable now (floats prove it)."""
    t = run.tables
    rows = t.rows[p]
    available = float(t.weights_f[p] @ run.budget_f[rows])
    spread = t.weight_total_f[p] * run.error
    unaffordable_f(run, available, spread, t.weights_f[p], rows, True, t.costs_f[p])


def unaffordable_limits(run: RunState, projects: np.ndarray) -> None:
    """:meth:`unaffordable_limit` for each of ``projects``; on small profiles in one pass
    over every supporter (the end of a run puts most projects to sleep)."""
    t = run.tables
    if not t.check_all or len(projects) < 2:
        for p in projects.tolist():
            unaffordable_limit(run, p)
        return
    size, w = len(t.costs_arr), t.flat_weights

    def per_project(values):
        return np.bincount(t.flat_projects, weights=w * values[t.flat_rows],
                           minlength=size)[projects]

    available, slope = per_project(run.budget_f), per_project(run.slope_f)
    cost = t.costs_arr[projects]
    error = slope_error(run.slack, t.support_len[projects], per_project(run.abs_f))
    # float_limit, for all at once
    f0 = cost - available - TOLERANCE * cost - t.weight_total_arr[projects] * run.error
    f1 = -slope - TOLERANCE * np.abs(slope) - error
    if not (f0 > 0).all():
        run.limit = 0.0
    elif np.count_nonzero(f1 < 0):
        falling = f1 < 0
        run.limit = min(run.limit, round_down(float((f0[falling] / -f1[falling]).min())))


def sleep_bound(run: RunState, p, ids, counts, budget, available: float, spread: float) -> None:
    """A lower bound ρ_S + slope·x of p's price whenever it is affordable, for an
    unaffordable p (``asleep`` in the run): S = every class but the richest, which then
    pays ρ·u (stability condition 3, README §4.1). Kept in ``sleep_bounds``."""
    top = int(budget.argmax())
    rich = float(counts[top]) * run.tables.constant_f[p]
    rest = available - float(counts[top]) * float(budget[top])  # Σ_S w·b
    cost = run.tables.costs_f[p]
    value = (cost - rest) / rich
    error = sum_error(len(ids), cost + available, spread) / rich
    slopes = run.class_slope_f[ids]
    paid = float(counts @ slopes) - float(counts[top]) * float(slopes[top])
    size = float(counts @ run.class_abs_f[ids]) / rich
    slope = -paid / rich
    slope -= slope_error(run.slack, len(ids), size, slope)
    run.sleep_bounds[p] = (value - error - TOLERANCE * abs(value), slope)


def price_slope(run: RunState, groups: Groups):
    """Exact slope in x of the price ρ_S for the split of ``groups``:
    −Σ_poor w·slope / Σ_rich w·u."""
    if not np.count_nonzero(groups.poor):
        return 0
    paid = exact(int(groups.weights[groups.poor].sum()))
    bought = groups.poor_util.nonzero()[0]
    for q, k in zip(bought.tolist(), groups.poor_util[bought].tolist(), strict=True):
        if run.rho_slope[q]:  # many prices do not move with x
            paid -= int(k) * run.rho_slope[q]
    return -paid / groups.rich_util if paid else 0


def purchase_limit(run: RunState, rho, rho_slope, groups: Groups) -> float:
    """Stability condition 1 for buying at ``rho`` + ``rho_slope``·x with ``groups``
    (:func:`pb.rules.mes.stability.split_limit` on the run's classes)."""
    classes = groups.classes

    def exact_group(g: int):
        c = int(classes[g])
        return run.exact_budget(c), run.exact_budget(c, slope=True)

    # rounding beyond the class bounds: |b̃| ≤ start (+ error), |s̃| ≤ Σ|terms| (+ error)
    largest = float(groups.values.max())
    budget_error = run.error + 4 * UNIT * (run.start_f + float(rho) * largest)
    top = abs(float(rho_slope)) * largest
    error = slope_error(run.slack, 1, run.class_abs_f[classes], top)
    return split_limit(
        rho, rho_slope, run.class_budget_f[classes], budget_error,
        run.class_slope_f[classes], error, groups.values, groups.poor, exact_group)
