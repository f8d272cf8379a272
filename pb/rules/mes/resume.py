"""Resuming an MES run from a tracked run with a smaller per-voter budget (README §4.2).

A tracked run (:func:`pb.rules.mes.run.equal_shares_run` with ``track=True``) leaves a
:class:`Snapshot` after each purchase: the state of the run, valid along its trace (same
purchases, same poor/rich splits, :mod:`pb.rules.mes.stability`) for every per-voter budget
``origin + x`` with x < ``limit``. A run with x more per voter starts from the latest snapshot
still valid there: its purchases so far are provably the same, at prices moved by their slopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from pb.rules.mes.stability import shifted_limit, shifted_lower

if TYPE_CHECKING:
    from pb.rules.mes.budgets import RunState
    from pb.rules.mes.run import EqualSharesRun

# usable_snapshot compares floats first: limits and shifts within this relative distance of
# each other are compared exactly instead (floats of both are within ~1e-15 of the exact ones)
_CLOSE = 1e-6


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


@dataclass(frozen=True)
class ResumeData:
    """What a later run (resume, payments, :mod:`pb.rules.mes.tail`) needs from a finished run.

    ``prices``/``price_slopes``: exact price of each bought project and its slope in x.
    Tracked runs only (else empty / None): the ``snapshots``; per class the float slopes
    ``class_slope`` and their sizes ``class_size`` (Σ|terms|) and the float budgets
    ``class_budget``, within :attr:`RunState.error <pb.rules.mes.budgets.RunState>` of the
    exact ones."""

    prices: dict
    price_slopes: dict
    snapshots: tuple[Snapshot, ...] = ()
    class_slope: np.ndarray | None = None
    class_size: np.ndarray | None = None
    class_budget: np.ndarray | None = None


@dataclass
class Frontier:
    """Where the main loop of a run stands: projects bought so far (in order), the projects
    still competing (``active``), and lower bounds ``lower + lower_slope·x`` of their prices."""

    selected: list[int]
    active: np.ndarray
    lower: np.ndarray
    lower_slope: np.ndarray


def usable_snapshot(run: EqualSharesRun, x: Fraction) -> Snapshot | None:
    """The latest snapshot of ``run`` that is still valid with x more per voter."""
    start = run.start + x
    origin = None  # consecutive snapshots mostly share one origin: subtract once for them
    for snap in reversed(run.resume_data.snapshots):  # their limits (from origin) never grow
        if snap.origin is not origin:
            origin = snap.origin
            moved = start - origin
            moved_f = float(moved)
        if snap.limit > moved_f * (1 + _CLOSE) or (
            snap.limit >= moved_f * (1 - _CLOSE) and Fraction(snap.limit) > moved
        ):
            return snap
    return None


def restore(run: RunState, old: EqualSharesRun, snap: Snapshot, x: Fraction,
            snapshots: list[Snapshot]) -> Frontier:
    """Set ``run`` to the state of ``old`` after ``snap`` with budgets moved along the trace
    by x (``run.restore``); returns where its main loop stands and fills the snapshots that
    stay valid (in the coordinates of ``run``)."""
    run.restore(old, snap, x)
    moved = old.start + x - snap.origin  # how far the snapshot's own coordinates move
    run.limit = shifted_limit(snap.limit, moved)
    old_snapshots = old.resume_data.snapshots
    snapshots.extend(old_snapshots[: old_snapshots.index(snap) + 1])
    lower = shifted_lower(snap.lower, snap.lower_slope, float(moved))
    return Frontier(list(old.selected[: snap.selected]), snap.active.copy(), lower,
                    snap.lower_slope.copy())
