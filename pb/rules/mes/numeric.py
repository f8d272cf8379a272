"""Shared numerics of the exact-and-fast rules (MES here, Phragmén in :mod:`pb.rules.phragmen`).

Floats make the decisions that are clear; exact rationals make the ones that are not. Every
float decision subtracts an error bound, and whatever stays too close to call is redone
exactly, so every outcome is exact (the bounds are derived in ``pb/rules/mes/README.md`` §3).
This module holds the pieces those bounds are built from, in one place:

* :data:`exact`, the rational type (gmpy2's ``mpq``: same values as ``Fraction``, ~5× faster);
* :data:`UNIT`, the float64 unit roundoff 2⁻⁵³;
* :data:`TOLERANCE`, the one relative safety margin added on top of the proven bounds;
* :func:`round_down`, which makes a float quotient a little smaller so a limit is never
  overstated;
* :func:`class_slack`, :func:`slope_error` and :func:`sum_error`, the error bounds.
"""

from __future__ import annotations

from fractions import Fraction

try:  # gmpy2's rationals are ~5x faster than fractions.Fraction; same exact values
    from gmpy2 import mpq as exact
except ImportError:  # pragma: no cover - gmpy2 is a dependency; Fraction gives the same values
    exact = Fraction

UNIT = 2.0**-53  # float64 unit roundoff
# relative; float64 error after hundreds of operations is ~1e-13, so 1e-9 leaves a wide margin
TOLERANCE = 1e-9
_SHRINK = 1 - 1e-12  # > 1e3 roundoffs below 1: a rounded quotient times this is below the true one


def round_down(x):
    """``x`` (a float or an array of floats ≥ 0) made a little smaller, so that a rounded
    quotient never overstates a limit."""
    return x * _SHRINK


def to_exact(value) -> object:
    """An int or Fraction as :data:`exact`."""
    if isinstance(value, int):
        return exact(value)
    return exact(value.numerator, value.denominator)


def class_slack(num_projects: int) -> float:
    """Relative error bound of a run's float class budgets and slopes (README §3.1).

    A class budget is b_parent − ρ·u, computed as fl(b̃_parent − fl(fl(ρ)·u)); with
    ρ·u ≤ b_parent ≤ start (the class is rich) each purchase adds at most 3.01·UNIT·start, a
    restore (a matmul over ≤ P purchases) at most (P + 4)·UNIT·start and float(start)
    UNIT·start; a class has at most P purchases in its history, so 8·(P + 2)·UNIT·start bounds
    them all. Slopes likewise, relative to Σ|terms| of the slope (its ``size``)."""
    return 8 * (num_projects + 2) * UNIT


def slope_error(slack: float, terms, size, slope=0.0):
    """Error bound of a float sum of ``terms`` class slopes with weights (README §3.2):
    the classes' own error (``slack``·``size``, size = Σ w·|terms of each slope|), rounding
    in the sum ((terms + 4)·UNIT·size) with 1 % to spare, and 4·UNIT·|slope| for a final
    division. Works elementwise on arrays of ``terms``/``size``/``slope``."""
    return 1.01 * (slack + (terms + 4) * UNIT) * size + 4 * UNIT * abs(slope)


def sum_error(terms: int, magnitude: float, spread: float) -> float:
    """Error bound of a float sum of ``terms`` weighted budgets of at most ``magnitude`` in
    total, cancellation included (README §3.1): 1e-15 > 4·UNIT per term, 8 terms to spare,
    plus ``spread`` ≥ Σ w·|b̃ − b|, the error of the budgets themselves."""
    return 1e-15 * (terms + 8) * magnitude + spread
