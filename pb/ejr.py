"""Extended justified representation up to one project (EJR-x1), checked for groups that are
cohesive over one or two projects (pure: numpy, no Flask).

Definition (Peters, Pierczyński, Skowron 2021, with cost utilities u_i(X) = cost of the
projects of X that voter i supports; equalshares.net explains results with it): a group S
of voters is T-cohesive if all of S support every project of T and |S|·B/n ≥ cost(T). An
outcome W satisfies EJR up to one if every T-cohesive S has a voter i with u_i(W) ≥ u_i(T)
or u_i(W ∪ {a}) > u_i(T) for some a ∈ T \\ W. Every MES outcome satisfies it. Checking all T
is coNP-hard, so this checks every T of one or two projects — exactly, in integers.

For a pair T, voter i of S is satisfied iff u_i(W) > cost(T) − max_{a∈T∖W} cost(a); the
largest group that could violate T is the supporters of T for whom that fails.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def ejr_up_to_one_violations(*, entry_row: np.ndarray, entry_project: np.ndarray,
                             weights: np.ndarray, costs, budget, num_voters: int,
                             selected) -> list[tuple[int, ...]]:
    """Sets T (one or two project indices) for which some T-cohesive group is left without
    its EJR-up-to-one share; empty list: the check passes.

    Parameters
    ----------
    entry_row, entry_project : (entries,) ints, merged ballot row and project of each entry
        (``pb.rules.ProfileArrays``); weights : (rows,) voters per merged row;
    costs : exact cost per project; budget : exact budget; selected : chosen project indices.
    """
    num_projects = len(costs)
    if num_voters == 0 or num_projects == 0:
        return []
    scale = math.lcm(*(Fraction(c).denominator for c in [*costs, budget]))
    cost_int = [int(Fraction(c) * scale) for c in costs]
    budget_i = int(Fraction(budget) * scale)
    if 2 * sum(cost_int) >= 2**62:
        raise ValueError("costs too large for the EJR check")
    cost = np.array(cost_int, dtype=np.int64)
    approve = np.zeros((len(weights), num_projects), dtype=bool)
    approve[entry_row, entry_project] = True
    chosen = np.zeros(num_projects, dtype=bool)
    chosen[list(selected)] = True
    utility = approve[:, chosen].astype(np.int64) @ cost[chosen]  # u_i(W), exact
    violations: list[tuple[int, ...]] = []
    for p in range(num_projects):
        supporters = np.flatnonzero(approve[:, p])
        if not len(supporters):
            continue
        cost_t = cost + cost[p]  # cost(T) for T = {p, q}; T = {p} when q == p
        cost_t[p] = cost[p]
        if chosen[p]:  # the largest cost among T \ W (−1: T ⊆ W, nothing to check)
            largest_missing = np.where(chosen, -1, cost)
        else:
            largest_missing = np.where(chosen, cost[p], np.maximum(cost, cost[p]))
        largest_missing[p] = -1 if chosen[p] else cost[p]
        threshold = cost_t - largest_missing
        failing = approve[supporters] & (utility[supporters, None] <= threshold[None, :])
        sizes = weights[supporters] @ failing
        for q in np.flatnonzero((sizes > 0) & (largest_missing >= 0)).tolist():
            if q >= p and int(sizes[q]) * budget_i >= int(cost_t[q]) * num_voters:
                violations.append((p,) if q == p else (p, q))
    return violations
