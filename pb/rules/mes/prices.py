"""Which projects a round of an MES run must price exactly (README §1 "lower bounds", §3.3).

A project's price ρ only grows during a run (budgets only shrink), so a lower bound from an
earlier round stays valid: :class:`PriceBounds` keeps float bounds lower ≤ ρ ≤ upper of every
competing project and refreshes (one float walk, :meth:`RunState.float_rho`) only those whose
stale lower bound could still beat the best fresh upper bound. The remaining candidates are
priced exactly (:meth:`RunState.exact_rho`) and the smallest exact ρ wins the round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pb.rules.mes.budgets import RunState
from pb.rules.mes.resume import Frontier
from pb.rules.mes.stability import competitors_limit
from pb.rules.mes.tables import Groups
from pb.rules.mes.tracking import unaffordable_limit


@dataclass(frozen=True)
class Offer:
    """A project priced exactly in a round: its price, tie rank and supporter groups."""

    rho: object  # numeric.exact
    rank: int
    project: int
    groups: Groups


class PriceBounds:
    """Float bounds of the prices of the projects still competing in a run.

    Works in place on the :class:`~pb.rules.mes.resume.Frontier`'s ``active``, ``lower`` and
    ``lower_slope`` (``lower + lower_slope·x`` bounds the price at start + x). ``asleep``:
    unaffordable at x = 0, but with tracking only proven so at the end of the run (where
    budgets are smallest, so it stays so for the largest x); until then it is a competitor with
    its lower bound, which holds whenever it is affordable (README §4.1, condition 2).
    """

    def __init__(self, run: RunState, frontier: Frontier):
        self.run = run
        self.active, self.lower = frontier.active, frontier.lower
        self.lower_slope = frontier.lower_slope
        size = len(self.active)
        self.upper = np.full(size, np.inf)
        self.asleep = np.zeros(size, dtype=bool)
        self.fresh = np.zeros(size, dtype=bool)  # estimated this round

    def refresh(self, k: int) -> None:
        """A current float estimate of project k's price, or k is unaffordable now."""
        run, active, asleep = self.run, self.active, self.asleep
        estimate = run.float_rho(k, record=False)
        if estimate is None:
            active[k], asleep[k] = False, True
            if k in run.sleep_bounds:  # tighter than the last (affordable) estimate
                self.lower[k], self.lower_slope[k] = run.sleep_bounds.pop(k)
            if run.tables.check_all:  # where one project is out of money, often more are
                gone = run.unaffordable(active)
                active[gone], asleep[gone] = False, True
        else:
            value, error, slope = estimate
            self.lower[k], self.upper[k] = value - error, value + error
            self.lower_slope[k] = slope
            self.fresh[k] = True

    def offers(self, tie_rank: np.ndarray) -> list[Offer] | None:
        """One round: the exact prices of every project whose ρ may be the smallest (empty if
        floats were wrong about all of them being affordable); None once nothing competes."""
        active, lower, fresh = self.active, self.lower, self.fresh
        if not np.count_nonzero(active):
            return None
        fresh[:] = False
        masked = np.where(active, lower, np.inf)  # kept up to date by the loop below
        while True:  # refresh in order of lower bounds until the lowest is fresh
            j = int(masked.argmin())
            if fresh[j] or (masked[j] == np.inf and not np.count_nonzero(active)):
                break
            self.refresh(j)
            if active[j]:
                masked[j] = lower[j]
            else:
                masked[~active] = np.inf
        if not np.count_nonzero(active):
            return None
        while True:  # every project whose ρ may be the minimum gets a fresh estimate
            best = float(np.where(active & fresh, self.upper, np.inf).min())
            stale = (active & ~fresh & (lower <= best)).nonzero()[0]
            if len(stale) == 0:
                break
            for k in stale.tolist():
                self.refresh(k)
        offers = []
        for k in (active & fresh & (lower <= best)).nonzero()[0].tolist():
            rho, groups = self.run.exact_rho(k)
            if rho is None:
                active[k] = False  # floats said "just affordable"; exactly it is not
            else:
                offers.append(Offer(rho, int(tie_rank[k]), k, groups))
        return offers

    def competitors(self, rho, rho_slope, offers: list[Offer]) -> float:
        """Stability condition 3 against the float lower bounds of all other projects."""
        run, active, asleep = self.run, self.active, self.asleep
        lower, lower_slope = self.lower, self.lower_slope
        others = active | asleep
        others[[offer.project for offer in offers]] = False
        others = others.nonzero()[0]
        bounds = competitors_limit(lower[others], lower_slope[others], float(rho),
                                   float(rho_slope))
        weak = (bounds < run.limit) & ~self.fresh[others]
        if np.count_nonzero(weak):  # stale lower bounds in the way: a current one is tighter
            redo = others[weak]
            for k in redo.tolist():
                if active[k]:
                    self.refresh(k)
                if asleep[k]:  # unaffordable now: prove it stays so
                    unaffordable_limit(run, k)
                    asleep[k] = False
            redo = redo[active[redo] | asleep[redo]]
            bounds = np.concatenate([bounds[~weak], competitors_limit(
                lower[redo], lower_slope[redo], float(rho), float(rho_slope))])
        return float(bounds.min()) if len(bounds) else math.inf
