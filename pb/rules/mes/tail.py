"""Skipping add1 steps where only the tail of the MES run can change.

add1/add1u (:mod:`pb.rules.mes.rule`) go on from per-voter budget s to s + δ as long as the outcome
at s is feasible (costs at most B) and, for add1u, not exhaustive (some unselected buyable
project still fits in what is left of B). :mod:`pb.rules.mes.stability` skips the steps where
the whole run provably stays the same. On large files some poor/rich split near the *end* of
the run changes at almost every step, so that alone skips little. But add1 does not need the
outcome at a step, only those two facts, and they follow from a stable *prefix*:

Let a snapshot of a tracked run (s, :class:`pb.rules.mes.resume.Snapshot`) prove that for
every per-voter budget s + x, 0 ≤ x < d, MES starts by buying the same m projects W_m with the
same splits. Along that trace each merged ballot's budget after the m purchases is affine,
b_r + σ_r·x (classes' floats and slopes, with the error bounds of :mod:`pb.rules.mes.budgets`).
Budgets only shrink during a run, so

* a project whose supporters hold less than its cost after the m purchases, for every x in
  [0, d) (an affine sum: check both ends), is never bought: the set U of such unbought buyable
  projects is unselected;
* the rest of the run buys only projects of A (the other unbought buyable projects) and pays for
  them from what their supporters hold after the m purchases, so it costs at most
  T = min(Σ_A cost, Σ over supporters of A of their budgets) (again the larger of both ends).

Hence if cost(W_m) + T + min_U cost ≤ B (add1: cost(W_m) + T ≤ B and U non-empty), every
step inside [0, d) is feasible and neither exhaustive nor complete: add1 passes it without
looking. Floats only ever *add* doubt here: every bound is rounded up by its error bound and a
relative margin, so a close call just skips fewer steps (README §4.3).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from pb.rules.mes.numeric import TOLERANCE, class_slack, round_down
from pb.rules.mes.stability import shifted_limit
from pb.rules.mes.tables import Tables

if TYPE_CHECKING:
    from pb.rules.mes.run import EqualSharesRun
    from pb.rules.profile_arrays import ProfileArrays


def tail_steps(run: EqualSharesRun, arrays: ProfileArrays, t: Tables, step,
               buyable: np.ndarray, *, exhaustive_stop: bool, beyond: int) -> int:
    """How many further steps of ``step`` after ``run.start`` (a tracked run) add1 provably
    passes (see the module docstring); 0 unless more than ``beyond`` (already known).
    ``buyable``: boolean mask of the projects MES can buy."""
    data = run.resume_data
    snapshots, class_slope_f, class_abs_f = data.snapshots, data.class_slope, data.class_size
    budgets = data.class_budget
    if not snapshots or class_slope_f is None:
        return 0
    candidates = {}  # steps -> the latest snapshot valid that long (it has bought the most)
    for snap in snapshots:
        reach = shifted_limit(snap.limit, run.start - snap.origin)
        if math.isfinite(reach):
            steps = max(0, math.ceil(round_down(reach / float(step))) - 1)
            if steps > beyond:
                candidates[steps] = (snap, reach)
    if not candidates:
        return 0
    classes = len(budgets)
    state = _Budgets(budgets, class_slope_f[:classes], class_abs_f[:classes],
                     class_slack(arrays.num_projects), arrays.weights.astype(np.float64),
                     float(run.start))
    for steps in sorted(candidates, reverse=True):
        snap, reach = candidates[steps]
        if _tail_passes(snap, reach, arrays, t, state, buyable, run.selected, exhaustive_stop):
            return steps
    return 0


class _Budgets:
    """Float budgets and slopes of a run's classes with their error bounds: a class budget is
    within 8(P + 2)·UNIT·start of the exact one (:func:`pb.rules.mes.numeric.class_slack`;
    ``error`` takes twice that), a slope within ``slack``·size."""

    def __init__(self, budgets, slopes, sizes, slack: float, row_weights, start_f: float):
        classes = len(slopes)  # classes created after tracking stopped are in no snapshot
        self.per_class = np.stack([budgets[:classes], slopes, sizes], axis=1)
        self.slack = slack
        self.error = 2 * slack * start_f
        self.row_weights = row_weights
        self.start_f = start_f

    def most(self, now, rate, size, weight, reach: float):
        """Upper bound of Σ w·budget(x) over x in [0, reach) from the float sums at x = 0
        (``now``), of the slopes (``rate``), of the slope sizes (Σ w·size ≥ Σ w·|slope|) and
        of the weights: the budgets' and slopes' own errors, plus TOLERANCE (1e-9) of the sums'
        magnitudes for rounding in sums of up to millions of terms."""
        doubt = (weight * (self.error + TOLERANCE * self.start_f)
                 + reach * (1.01 * self.slack + TOLERANCE) * size)
        return np.maximum(now, now + reach * rate) + doubt


def _tail_passes(snap, reach: float, arrays: ProfileArrays, t: Tables, state: _Budgets,
                 buyable, selected, exhaustive_stop: bool) -> bool:
    """The condition of the module docstring for one snapshot valid on [0, reach)."""
    size = arrays.num_projects
    bought = np.zeros(size, dtype=bool)
    bought[list(selected[: snap.selected])] = True
    unbought = buyable & ~bought
    # Σ w·(budget, slope, size) over each project's supporters: the flat supporter lists are
    # grouped by project, so one gather and one reduceat give all three for every project
    terms = state.per_class[snap.row_class[t.flat_rows]] * t.flat_weights[:, None]
    sums = np.zeros((size, 3))
    if len(terms):
        sums[t.supported] = np.add.reduceat(terms, t.flat_starts[t.supported], axis=0)
    most = state.most(sums[:, 0], sums[:, 1], sums[:, 2], t.weight_total_arr, reach)
    possible = unbought & (most >= t.costs_arr * (1 - TOLERANCE))
    never = unbought & ~possible
    if not np.count_nonzero(never):
        return False
    supporters = np.zeros(len(snap.row_class), dtype=bool)
    supporters[t.flat_rows[possible[t.flat_projects]]] = True
    weights = state.row_weights[supporters]
    held_now, held_rate, held_size = weights @ state.per_class[snap.row_class[supporters]]
    held = float(state.most(held_now, held_rate, held_size, weights.sum(), reach))
    tail = min(float(t.costs_arr[possible].sum()), held) * (1 + TOLERANCE)
    costs = arrays.costs
    spent = sum((costs[q] for q in selected[: snap.selected]), 0)
    cheapest = min(costs[q] for q in never.nonzero()[0].tolist()) if exhaustive_stop else 0
    room = arrays.budget - spent - cheapest  # exact
    return room >= 0 and float(room) > tail
