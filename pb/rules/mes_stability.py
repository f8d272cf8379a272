"""How far the per-voter budget of one MES run can grow without changing the run.

add1/add1u (:mod:`pb.rules.mes`) rerun MES with per-voter budget s, s + δ, s + 2δ, ... and
typically get the same purchases for dozens of consecutive steps. This module proves that
exactly, so those reruns can be skipped.

Run MES with per-voter budget s + x for a parameter x ≥ 0 and keep the *trace* of the run at
x = 0 fixed: the projects bought, in order, and for each purchase which supporters pay their
whole remaining budget ("poor") and which pay ρ·u ("rich"). Along a fixed trace every budget
is an affine function a + b·x of x (budgets start at s + x; a purchase at price
ρ(x) = (c − Σ_poor budget(x)) / Σ_rich u leaves the rich with budget(x) − ρ(x)·u). The trace
of the run at x = 0 is still the trace of the run at x as long as

1. for each purchase, every poor supporter has budget(x) ≤ ρ(x)·u and every rich one
   budget(x) ≥ ρ(x)·u (then ρ(x) is the exact price at x) and ρ(x) ≥ 0;
2. every project that was found unaffordable in a round stays unaffordable there:
   Σ budget(x) < c (budgets only shrink during a run, so it stays unaffordable afterwards);
3. no other project beats the bought one: for *any* poor/rich split S of a project q's
   supporters, ρ_S(x) = (c − Σ_S budget(x)) / Σ_{not S} u is a lower bound of q's price
   (Σ min(budget, ρu) ≤ Σ_S budget + ρ·Σ_{not S} u), and prices only grow during a run, so
   an affine lower bound ρ_S(x) from any earlier round that stays above the bought project's
   ρ(x) (ties: the tie-breaking rank) proves q does not win the round.

Each condition is "an affine function of x keeps its sign", which holds on [0, X) for an X
computed here, exactly (rationals) for the conditions that decide ties and splits and in
float64 with a relative safety margin of :data:`MARGIN` (far above float error) for the
comparisons against float lower bounds. The run's ``stable_for`` is the smallest X: a
rigorous, conservative bound (an uncertain float comparison only makes it smaller).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

try:  # the exact type of pb.rules.equal_shares
    from gmpy2 import mpq as exact
except ImportError:  # pragma: no cover - gmpy2 is optional
    exact = Fraction

if TYPE_CHECKING:
    from pb.rules.equal_shares import EqualSharesRun

MARGIN = 1e-9  # relative; float64 error after hundreds of operations is ~1e-13


def float_limit(f0: float, f1: float, scale0: float, scale1: float) -> float:
    """Largest X such that f0 + f1·x > 0 on [0, X), given values computed with magnitudes
    ``scale0``/``scale1`` (a relative :data:`MARGIN` of those is subtracted first)."""
    f0 -= MARGIN * scale0
    f1 -= MARGIN * scale1
    if not f0 > 0:
        return 0.0
    if f1 >= 0:
        return math.inf
    return _down(f0 / -f1)


def exact_limit(f0, f1, *, strict: bool) -> float:
    """Largest X (rounded down to a float) such that f0 + f1·x ≥ 0 (> 0 if ``strict``) on
    [0, X); f0, f1 exact rationals."""
    if f0 < 0 or (strict and f0 == 0):
        return 0.0
    if f1 >= 0:
        return math.inf
    if f0 == 0:
        return 0.0
    return _down(float(f0 / -f1))


def _down(x: float) -> float:
    """``x`` made a little smaller, so that a rounded quotient never overstates a limit."""
    return x * (1 - 1e-12)


def split_limit(rho0, rho1, budgets, slopes, values, weights, poor) -> float:
    """Condition 1 for one purchase: the poor/rich split of its supporter groups (exact).

    ``budgets``/``slopes`` are each group's budget a + b·x, ``values`` its utility,
    ``poor`` the set of poor groups, ``rho0 + rho1·x`` the price.
    """
    limit = exact_limit(rho0, rho1, strict=False)
    price0: dict = {}  # ρ0·u and ρ1·u per utility (few distinct utilities)
    price1: dict = {}
    for g, (a, b, u) in enumerate(zip(budgets, slopes, values.tolist(), strict=True)):
        if not limit > 0:
            break
        p1 = price1.get(u)
        if p1 is None:
            p1 = price1[u] = rho1 * u
        h1 = b - p1  # budget left after paying ρ·u: h0 + h1·x
        if g in poor:
            h1 = -h1
        if h1 < 0:  # only then can the sign of h0 + h1·x change
            p0 = price0.get(u)
            if p0 is None:
                p0 = price0[u] = rho0 * u
            h0 = p0 - a if g in poor else a - p0
            limit = min(limit, exact_limit(h0, h1, strict=False))
    return limit


def price_slope(poor, slopes, values, weights):
    """Slope in x of ρ_S for the split ``poor`` (exact): −Σ_poor w·b / Σ_rich w·u."""
    paid = sum((slopes[g] * int(weights[g]) for g in poor), 0)
    utility = sum(int(weights[g]) * int(values[g]) for g in range(len(slopes)) if g not in poor)
    return -paid / utility if paid else 0


def competitors_limit(lower0, lower1, rho0: float, rho1: float) -> np.ndarray:
    """Condition 3 against float lower bounds ``lower0 + lower1·x`` (arrays) of the other
    projects, for the bought project's price ``rho0 + rho1·x`` (floats): one limit each."""
    f0 = lower0 - rho0 - MARGIN * (np.abs(lower0) + abs(rho0))
    f1 = lower1 - rho1 - MARGIN * (np.abs(lower1) + abs(rho1))
    with np.errstate(divide="ignore", invalid="ignore"):
        limits = np.where(f1 < 0, f0 / -f1, np.inf) * (1 - 1e-12)
    return np.where(f0 > 0, limits, 0.0)


def shifted_limit(limit: float, x) -> float:
    """``limit`` in the coordinates of a run that starts x (exact) later."""
    if not math.isfinite(limit):
        return limit
    return _down(float(Fraction(limit) - x))


def shifted_lower(lower0: np.ndarray, lower1: np.ndarray, x: float) -> np.ndarray:
    """Float lower bounds lower0 + lower1·x of prices, evaluated x later (with a margin)."""
    with np.errstate(invalid="ignore"):  # inf + 0·x
        moved = lower0 + np.where(lower1 != 0, lower1 * x, 0.0)
    return moved - MARGIN * (np.abs(lower1) * x + np.abs(np.where(np.isfinite(lower0), lower0, 0)))


@dataclass(frozen=True)
class Snapshot:
    """State of a tracked run after a purchase, valid along its trace for per-voter budgets
    ``origin + x`` with x < ``limit``; ``lower + lower_slope·x`` bound the prices there."""

    origin: Fraction
    limit: float
    selected: int  # purchases so far (incl. cost-0 projects)
    classes: int  # budget classes so far
    row_class: np.ndarray
    active: np.ndarray
    lower: np.ndarray
    lower_slope: np.ndarray


def usable_snapshot(run: EqualSharesRun, x: Fraction) -> Snapshot | None:
    """The latest snapshot of ``run`` that is still valid with x more per voter."""
    start = run.start + x
    for snap in reversed(run.resume_data[0]):  # their limits (from origin) never grow
        moved = start - snap.origin
        if snap.limit > float(moved) * 1.000001 or (
            snap.limit >= float(moved) * 0.999999 and Fraction(snap.limit) > moved
        ):
            return snap
    return None


def restore(run, old: EqualSharesRun, snap: Snapshot, x: Fraction, snapshots, rho_slopes):
    """Set ``run`` to the state of ``old`` after ``snap`` with budgets moved along the trace
    by x; returns (selected, ρ, active, lower, lower_slope) and fills the snapshots and price
    slopes that stay valid (in the coordinates of ``run``)."""
    old_snapshots, class_slope, old_slopes = old.resume_data
    shift = exact(x.numerator, x.denominator)
    budgets = [
        a + b * shift
        for a, b in zip(old.class_budget[: snap.classes], class_slope[: snap.classes], strict=True)
    ]
    run.class_budget = budgets
    run.class_budget_f = np.array([float(v) for v in budgets])
    run.row_class = snap.row_class.copy()
    run.budget_f = run.class_budget_f[run.row_class]
    if run.track:
        run.class_slope = list(class_slope[: snap.classes])
        run.class_slope_f = np.array([float(v) for v in run.class_slope])
        run.slope_f = run.class_slope_f[run.row_class]
    moved = old.start + x - snap.origin  # how far the snapshot's own coordinates move
    run.limit = shifted_limit(snap.limit, moved)
    selected = list(old.selected[: snap.selected])
    rhos = {
        p: exact(old.rho[p].numerator, old.rho[p].denominator) + old_slopes[p] * shift
        for p in selected
    }
    rho_slopes.update((p, old_slopes[p]) for p in selected)
    snapshots.extend(old_snapshots[: old_snapshots.index(snap) + 1])
    lower = shifted_lower(snap.lower, snap.lower_slope, float(moved))
    return selected, rhos, snap.active.copy(), lower, snap.lower_slope.copy()
