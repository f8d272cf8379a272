"""The stability conditions of :mod:`pb.rules.mes_stability`, evaluated on the state of a
tracked MES run (:class:`pb.rules.mes_budgets.RunState`) from its floats and error bounds,
exactly where those leave the sign open.
"""

from __future__ import annotations

import numpy as np

from pb.rules.mes_stability import MARGIN, UNIT, float_limit
from pb.rules.mes_stability import split_limit as split_limit_of
from pb.rules.mes_tables import WINDOW, Groups, exact


def unaffordable_f(run, available: float, spread: float, weights_f, rows_or_classes,
                    per_row: bool, cost: float) -> None:
    """Stability condition 2 from floats: available + slope·x < cost stays true."""
    slopes = run.slope_f[rows_or_classes] if per_row else run.class_slope_f[rows_or_classes]
    sizes = run.abs_f[rows_or_classes] if per_row else run.class_abs_f[rows_or_classes]
    slope = float(weights_f @ slopes)
    slope_error = 1.01 * (run.slack + (len(slopes) + 4) * UNIT) * float(weights_f @ sizes)
    run.limit = min(run.limit, float_limit(
        cost - available, -slope, cost, abs(slope), spread, slope_error))


def unaffordable_limit(run, p: int) -> None:
    """Stability condition 2 for p, unaffordable now (floats prove it)."""
    t = run.t
    rows = t.rows[p]
    available = float(t.weights_f[p] @ run.budget_f[rows])
    spread = t.weight_total_f[p] * run.error
    unaffordable_f(run, available, spread, t.weights_f[p], rows, True, t.costs_f[p])


def unaffordable_limits(run, projects: np.ndarray) -> None:
    """:meth:`unaffordable_limit` for each of ``projects``; on small profiles in one pass
    over every supporter (the end of a run puts most projects to sleep)."""
    t = run.t
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
    slope_error = 1.01 * (run.slack + (t.support_len[projects] + 4) * UNIT) * per_project(
        run.abs_f)
    # float_limit, for all at once
    f0 = cost - available - MARGIN * cost - t.weight_total_arr[projects] * run.error
    f1 = -slope - MARGIN * np.abs(slope) - slope_error
    if not (f0 > 0).all():
        run.limit = 0.0
    elif np.count_nonzero(f1 < 0):
        falling = f1 < 0
        run.limit = min(run.limit, float((f0[falling] / -f1[falling]).min()) * (1 - 1e-12))


def sleep_bound(run, p, ids, counts, budget, available: float, spread: float) -> None:
    """A lower bound ρ_S + slope·x of p's price whenever it is affordable, for an
    unaffordable p (``asleep`` in the run): S = every class but the richest, which then
    pays ρ·u (mes_stability condition 3). Kept in ``sleep_bounds``."""
    top = int(budget.argmax())
    rich = float(counts[top]) * run.t.constant_f[p]
    rest = available - float(counts[top]) * float(budget[top])  # Σ_S w·b
    cost = run.t.costs_f[p]
    value = (cost - rest) / rich
    error = (1e-15 * (len(ids) + 8) * (cost + available) + spread) / rich
    slopes = run.class_slope_f[ids]
    paid = float(counts @ slopes) - float(counts[top]) * float(slopes[top])
    size = float(counts @ run.class_abs_f[ids]) / rich
    slope = -paid / rich
    slope -= 1.01 * (run.slack + (len(ids) + 4) * UNIT) * size + 4 * UNIT * abs(slope)
    run.sleep_bounds[p] = (value - error - WINDOW * abs(value), slope)


def price_slope(run, groups: Groups):
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


def split_limit(run, rho, rho_slope, groups: Groups) -> float:
    """Stability condition 1 for buying at ``rho`` + ``rho_slope``·x with ``groups``."""
    classes = groups.classes

    def exact_group(g: int):
        c = int(classes[g])
        return run.exact_budget(c), run.exact_budget(c, slope=True)

    # rounding beyond the class bounds: |b̃| ≤ start (+ error), |s̃| ≤ Σ|terms| (+ error)
    largest = float(groups.values.max())
    budget_error = run.error + 4 * UNIT * (run.start_f + float(rho) * largest)
    top = abs(float(rho_slope)) * largest
    slope_error = (1.01 * run.slack + 5 * UNIT) * run.class_abs_f[classes] + 4 * UNIT * top
    return split_limit_of(
        rho, rho_slope, run.class_budget_f[classes], budget_error,
        run.class_slope_f[classes], slope_error, groups.values, groups.poor, exact_group)
