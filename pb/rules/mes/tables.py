"""Per-utility arrays of an election for MES, and the float walk that prices a project.

Shared by :mod:`pb.rules.mes.budgets` (a run's budgets) and :mod:`pb.rules.mes.tracking`
(its stability); built once per utility and cached on the ProfileArrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pb.rules.mes.numeric import TOLERANCE, sum_error, to_exact
from pb.rules.profile_arrays import ProfileArrays, SupportLists

# up to this many (supporter, project) pairs in all, proving many projects unaffordable in one
# pass over every supporter (RunState.unaffordable) is cheaper than one walk per project
ONE_PASS_SUPPORTERS = 16_384


class Tables:
    """Per-project arrays of one utility, cached on the ProfileArrays (built once per utility)."""

    def __init__(self, arrays: ProfileArrays, support: SupportLists):
        self.rows = support.rows
        self.weights_f = [arrays.weights[r].astype(np.float64) for r in support.rows]
        self.weight_total_f = [float(w.sum()) for w in self.weights_f]
        self.values = support.values
        self.values_f = [v.astype(np.float64) for v in support.values]
        self.constant = [len(v) == 0 or bool((v == v[0]).all()) for v in support.values]
        self.constant_f = [float(v[0]) if len(v) else 0.0 for v in self.values_f]
        # utilities are small integers for points/Borda: (class, utility) packs into one int64
        self.value_span = [
            int(v.max()) + 1 if v.dtype != object and len(v) and v.max() < 2**31 else 0
            for v in support.values
        ]
        self.costs = [to_exact(c) for c in arrays.costs]
        self.costs_f = [float(c) for c in arrays.costs]
        # all supporters of all projects at once, for RunState.unaffordable on small profiles
        self.flat_rows = np.concatenate(self.rows) if self.rows else np.zeros(0, np.int64)
        self.flat_weights = np.concatenate(self.weights_f) if self.rows else np.zeros(0)
        self.flat_projects = np.repeat(np.arange(len(self.rows)), [len(r) for r in self.rows])
        self.check_all = len(self.flat_rows) <= ONE_PASS_SUPPORTERS
        self.support_len = np.array([len(r) for r in self.rows], dtype=np.int64)
        self.flat_starts = np.cumsum(self.support_len) - self.support_len  # per project
        self.supported = self.support_len > 0
        self.costs_arr = np.array(self.costs_f)
        self.weight_total_arr = np.array(self.weight_total_f)
        # class utilities U and K = w·U: float64 while every sum is an integer below 2**53
        # (exact, and BLAS-fast), int64 while none can overflow, else Python ints
        top = max((int(v.max()) for v in support.values if len(v)), default=0)
        bound = top * max(arrays.num_voters, 1) if all(
            v.dtype != object for v in support.values) else 2**64
        self.util_dtype = np.float64 if bound < 2**52 else np.int64 if bound < 2**62 else object


def tables(arrays: ProfileArrays, utility: str) -> Tables:
    key = "equal_shares:" + utility
    if key not in arrays._support:
        arrays._support[key] = Tables(arrays, arrays.support(utility))
    return arrays._support[key]


@dataclass(frozen=True)
class Groups:
    """Supporters of one project grouped by (budget class, utility), as priced by
    :meth:`RunState.exact_rho`: ``count`` groups of which ``live`` (positions) have money;
    ``classes``/``values``/``weights``/``poor`` describe the live ones, ``inverse`` maps each
    supporter to its group and ``poor_util`` is K = w·U over the poor groups. With one utility
    for all supporters groups are classes: ``count``/``live``/``inverse`` are None."""

    count: int | None
    live: np.ndarray | None
    classes: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    poor: np.ndarray
    inverse: np.ndarray | None
    poor_util: np.ndarray
    rich_util: int  # Σ w·u over the rich groups


@dataclass
class PricedWalk:
    """A float walk of one project over its supporters' budget classes (one utility for all),
    kept by :meth:`RunState.float_rho` for :meth:`RunState.exact_rho`; valid while no other
    purchase was made (``purchases``). ``classes``, ``weights`` and ``budgets`` are the live
    classes, their supporters' weights and float budgets; ``order`` sorts them by budget;
    the walk found price ``rho`` ± ``error`` with the first ``split`` of that order poor;
    ``available`` = Σ weights·budgets."""

    purchases: int
    classes: np.ndarray
    weights: np.ndarray
    budgets: np.ndarray
    order: np.ndarray
    rho: float
    split: int
    error: float
    available: float


def walk(cost: float, b: np.ndarray, u: np.ndarray, w: np.ndarray, spread: float = 0.0):
    """Float price, poor/rich split and an error bound, for supporters sorted by budget/utility.

    The bound covers rounding in the sums (≤ n·2⁻⁵² of each) including the cancellation in
    cost − (paid by the poor) when the rich carry a tiny share, the error of the budgets
    themselves (Σ w·|b̃ − b| ≤ ``spread``), plus the relative TOLERANCE (README §3.1).
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
    rest = float(utility_from[j])
    error = sum_error(len(b), cost + float(poor_before[j]), spread) / rest
    return value, j, error + TOLERANCE * abs(value)
