"""How far the per-voter budget of one MES run can grow without changing the run.

add1/add1u (:mod:`pb.rules.mes.rule`) rerun MES with per-voter budget s, s + δ, s + 2δ, ... and
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
2. a project that is unaffordable in a round stays unaffordable there: Σ budget(x) < c
   (budgets only shrink during a run, so it stays unaffordable afterwards). A project found
   unaffordable before the last round may instead stay a competitor under condition 3 (its
   lower bound holds whenever it is affordable) and be proven unaffordable after the last
   purchase, where budgets are smallest (:mod:`pb.rules.mes.run`: "asleep");
3. no other project beats the bought one: for *any* poor/rich split S of a project q's
   supporters, ρ_S(x) = (c − Σ_S budget(x)) / Σ_{not S} u is a lower bound of q's price
   (Σ min(budget, ρu) ≤ Σ_S budget + ρ·Σ_{not S} u), and prices only grow during a run, so
   an affine lower bound ρ_S(x) from any earlier round that stays above the bought project's
   ρ(x) (ties: the tie-breaking rank) proves q does not win the round.

Each condition is "an affine function of x keeps its sign", which holds on [0, X) for an X
computed here: exactly (rationals) for ties between priced projects; from floats with their
rigorous error bounds (:mod:`pb.rules.mes.budgets`) for splits and affordability, exactly
where those bounds leave the sign open; and in float64 with a further relative safety margin
of :data:`~pb.rules.mes.numeric.TOLERANCE` for the comparisons against float lower bounds.
The run's ``stable_for`` is the smallest X: a rigorous, conservative bound (an uncertain float
comparison only makes it smaller). Proofs: ``pb/rules/mes/README.md`` §4. This module holds the
limit maths only; :mod:`pb.rules.mes.tracking` evaluates it on a run's state and
:mod:`pb.rules.mes.resume` resumes runs from it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from pb.rules.mes.numeric import TOLERANCE, round_down


def float_limit(f0: float, f1: float, scale0: float, scale1: float,
                error0: float = 0.0, error1: float = 0.0) -> float:
    """Largest X such that f0 + f1·x > 0 on [0, X), given values computed with magnitudes
    ``scale0``/``scale1`` (a relative TOLERANCE of those is subtracted first) and known
    absolute errors ``error0``/``error1``."""
    f0 -= TOLERANCE * scale0 + error0
    f1 -= TOLERANCE * scale1 + error1
    if not f0 > 0:
        return 0.0
    if f1 >= 0:
        return math.inf
    return round_down(f0 / -f1)


def exact_limit(f0, f1, *, strict: bool) -> float:
    """Largest X (rounded down to a float) such that f0 + f1·x ≥ 0 (> 0 if ``strict``) on
    [0, X); f0, f1 exact rationals."""
    if f0 < 0 or (strict and f0 == 0):
        return 0.0
    if f1 >= 0:
        return math.inf
    if f0 == 0:
        return 0.0
    return round_down(float(f0 / -f1))


def split_limit(rho0, rho1, budget_f, budget_error: float, slope_f, slope_error, values, poor,
                exact_group) -> float:
    """Condition 1 for one purchase: the poor/rich split of its live supporter groups.

    Group g has budget a + b·x with floats ``budget_f``/``slope_f``, utility ``values[g]``
    and is poor iff ``poor[g]``; the price is rho0 + rho1·x (exact). ``budget_error`` (a
    number) and ``slope_error`` (one per group) bound |budget_f − a| + |fl(ρ0)·u − ρ0·u| and
    the same for b, including rounding in the subtraction. Floats decide where the bounds
    leave no doubt (a smaller, safe limit); elsewhere ``exact_group(g)`` gives the exact (a, b).
    """
    limit = exact_limit(rho0, rho1, strict=False)
    if not limit > 0:
        return limit
    u = values.astype(np.float64)
    # h = budget − ρ·u for the rich, ρ·u − budget for the poor: must stay ≥ 0
    sign = np.where(poor, -1.0, 1.0)  # an exact flip
    low0 = (budget_f - float(rho0) * u) * sign - budget_error
    low1 = (slope_f - float(rho1) * u) * sign - slope_error
    falling = low1 < 0  # only then can the sign of h change
    sure = falling & (low0 > 0)
    if np.count_nonzero(sure):
        limit = min(limit, round_down(float((low0[sure] / -low1[sure]).min())))
    for g in (falling & ~sure).nonzero()[0].tolist():
        a, b = exact_group(g)
        price0, price1 = rho0 * int(values[g]), rho1 * int(values[g])
        h0, h1 = (price0 - a, price1 - b) if poor[g] else (a - price0, b - price1)
        if h1 < 0:
            limit = min(limit, exact_limit(h0, h1, strict=False))
    return limit


def competitors_limit(lower0, lower1, rho0: float, rho1: float) -> np.ndarray:
    """Condition 3 against float lower bounds ``lower0 + lower1·x`` (arrays) of the other
    projects, for the bought project's price ``rho0 + rho1·x`` (floats): one limit each."""
    f0 = lower0 - TOLERANCE * np.abs(lower0) - (rho0 + TOLERANCE * abs(rho0))
    f1 = lower1 - TOLERANCE * np.abs(lower1) - (rho1 + TOLERANCE * abs(rho1))
    limits = np.divide(f0, -f1, out=np.full(len(f0), np.inf), where=f1 < 0)
    limits = round_down(limits)
    limits[~(f0 > 0)] = 0.0
    return limits


def shifted_limit(limit: float, x) -> float:
    """``limit`` in the coordinates of a run that starts x (exact) later."""
    if not math.isfinite(limit):
        return limit
    return round_down(float(Fraction(limit) - x))


def shifted_lower(lower0: np.ndarray, lower1: np.ndarray, x: float) -> np.ndarray:
    """Float lower bounds lower0 + lower1·x of prices, evaluated x later (with a margin)."""
    with np.errstate(invalid="ignore"):  # inf + 0·x
        moved = lower0 + np.where(lower1 != 0, lower1 * x, 0.0)
    finite = np.where(np.isfinite(lower0), lower0, 0)
    return moved - TOLERANCE * (np.abs(lower1) * x + np.abs(finite))
