"""Extended justified representation up to one project (EJR-x1) with cost utilities, checked
over every set of projects a group could claim (pure: numpy, no Flask).

Definition (Peters, Pierczyński & Skowron 2021, §3; equalshares.net explains MES results
with it): with cost utilities u_i(X) = cost of the projects of X that voter i supports, a
group S of voters is T-cohesive if all of S support every project of T and
|S|·B/n ≥ cost(T). An outcome W satisfies EJR up to one if every T-cohesive S has a voter i
with u_i(W) ≥ u_i(T) or u_i(W ∪ {a}) > u_i(T) for some a ∈ T ∖ W (``strict``, the paper's
definition, which every MES outcome satisfies). pabutools'
``is_EJR_one_approval`` asks for ≥ in the second part instead (``strict=False``).

For a fixed T, the largest group that could violate it is the supporters of T that fail
the condition, so it is enough to visit every T, not every group. Sets are visited by
size (1, 2, 3, …), extending only sets whose supporters alone could afford them
(|supporters(T)|·B ≥ cost(T)·n): a superset has fewer supporters and costs more, so nothing
pruned could have a cohesive group. That makes the check exact. Checking EJR is
coNP-hard, so large elections may need too many sets: past ``work_limit`` the visit stops
after a whole size, and the result says up to which size every set was checked (a bounded,
clearly labelled check). All arithmetic on money is in integers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

WORK_LIMIT = 30_000_000  # ballot-row × project look-ups; about a second on one core
MAX_LISTED = 20


@dataclass(frozen=True)
class EJRCheck:
    """Outcome of :func:`check_ejr_up_to_one`.

    violations : sets T (project indices, ascending) with a T-cohesive group left without
        its EJR-up-to-one share, smallest sets first, at most ``MAX_LISTED``;
    exact : every set that could have a cohesive group was checked;
    largest_size : every set of up to this many projects was checked (all of them when
        ``exact``).
    """

    violations: tuple[tuple[int, ...], ...]
    exact: bool
    largest_size: int

    @property
    def passes(self) -> bool:
        return not self.violations


def check_ejr_up_to_one(*, entry_row: np.ndarray, entry_project: np.ndarray,
                        weights: np.ndarray, costs, budget, num_voters: int, selected,
                        strict: bool = True, work_limit: int = WORK_LIMIT) -> EJRCheck:
    """Check EJR up to one of the outcome `selected` (see the module docstring).

    Parameters
    ----------
    entry_row, entry_project : (entries,) ints, merged ballot row and project of each entry
        (``pb.rules.ProfileArrays``); weights : (rows,) voters per merged row;
    costs : exact cost per project; budget : exact budget; num_voters : n;
    selected : chosen project indices; strict : the paper's definition (True) or
        pabutools' (False); work_limit : stop after the size at which this many
        row × project look-ups were spent.

    >>> check = check_ejr_up_to_one(entry_row=np.array([0, 1]), entry_project=np.array([0, 1]),
    ...     weights=np.array([2, 2]), costs=[2, 2], budget=4, num_voters=4, selected=[0])
    >>> check.violations, check.exact
    (((1,),), True)
    """
    num_projects = len(costs)
    if num_voters == 0 or num_projects == 0:
        return EJRCheck((), True, num_projects)
    scale = math.lcm(*(Fraction(c).denominator for c in [*costs, budget]))
    cost_int = [int(Fraction(c) * scale) for c in costs]
    budget_i = int(Fraction(budget) * scale)
    if 2 * sum(cost_int) >= 2**62:
        raise ValueError("costs too large for the EJR check")
    cost = np.array(cost_int, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    approve = np.zeros((len(weights), num_projects), dtype=bool)
    approve[entry_row, entry_project] = True
    chosen = np.zeros(num_projects, dtype=bool)
    chosen[list(selected)] = True
    utility = approve[:, chosen].astype(np.int64) @ cost[chosen]  # u_i(W), exact

    def affordable(support: int, price: int) -> bool:  # |S|·B ≥ cost(T)·n, exactly
        return support * budget_i >= price * num_voters

    violations: list[tuple[int, ...]] = []
    level = [((p,), rows, int(cost[p])) for p in range(num_projects)
             for rows in [np.flatnonzero(approve[:, p])]
             if len(rows) and affordable(int(weights[rows].sum()), int(cost[p]))]
    size, work = 0, 0
    while level:
        size += 1
        for projects, rows, price in level:
            missing = [p for p in projects if not chosen[p]]
            if not missing:
                continue  # T ⊆ W: every supporter already has u_i(W) ≥ cost(T)
            have = utility[rows]
            top_up = have + int(cost[missing].max())
            failing = ((have < price) & (top_up <= price)) if strict else (top_up < price)
            group = int(weights[rows][failing].sum())
            if group and affordable(group, price) and len(violations) < MAX_LISTED:
                violations.append(projects)
        level, work = _next_level(level, approve, weights, cost, affordable, work,
                                  work_limit)
        if level is None:
            return EJRCheck(tuple(violations), False, size)
    return EJRCheck(tuple(violations), True, num_projects)


def _next_level(level, approve, weights, cost, affordable, work, work_limit):
    """Sets of one more project whose supporters could still afford them; None once the
    work limit is passed (the caller then reports a bounded check)."""
    num_projects = approve.shape[1]
    following = []
    for projects, rows, price in level:
        last = projects[-1]
        if last + 1 >= num_projects or not len(rows):
            continue
        work += len(rows) * (num_projects - last - 1)
        if work > work_limit:
            return None, work
        block = approve[rows, last + 1:]
        support = weights[rows] @ block
        for offset in np.flatnonzero(support).tolist():
            q = last + 1 + offset
            extended = price + int(cost[q])
            if affordable(int(support[offset]), extended):
                following.append((projects + (q,), rows[block[:, offset]], extended))
    return following, work
