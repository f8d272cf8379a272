"""Sequential Phragmén for approval ballots, with pabutools' stop rule (docs/pb-rules.md §2).

Each voter carries a load ℓ (initially 0). Buying p sets the load of its supporters to
ℓ*(p) = (Σ_{i∈S_p} ℓ_i + c(p)) / |S_p|; each round buys the project with the smallest ℓ*
(ties: tie-breaking rule). The rule **stops** as soon as a minimiser does not fit in the
remaining budget. Only projects with c(p) ≤ B are considered; projects nobody approves have
ℓ* = ∞ and are bought last, while they all fit (as pabutools does).

Loads are exact: every supporter of a bought project gets the same load, so the distinct loads
are few and kept as Fractions; floats pick the candidates, and every candidate within the shared
relative tolerance (:data:`pb.rules.mes.numeric.TOLERANCE`) of the lowest is re-checked exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from pb.instance import Instance, Profile
from pb.rules.mes.numeric import TOLERANCE, exact
from pb.rules.outcome import Outcome, make_outcome
from pb.rules.profile_arrays import ProfileArrays, profile_arrays


def phragmen(
    instance: Instance,
    profile: Profile,
    *,
    tie_break: str = "lexico",
    arrays: ProfileArrays | None = None,
) -> Outcome:
    """Sequential Phragmén (see module docstring); approval / choose-1 ballots only."""
    arrays = arrays or profile_arrays(instance, profile)
    if arrays.vote_type != "approval":
        raise ValueError("phragmen needs approval ballots, not " + arrays.vote_type)
    support = arrays.support("cardinality")
    rank = arrays.tie_rank(tie_break)
    votes = [int(arrays.weights[r].sum()) for r in support.rows]
    weights_f = arrays.weights.astype(np.float64)
    load_values = [Fraction(0)]
    row_load = np.zeros(len(arrays.weights), dtype=np.int64)
    load_f = np.zeros(len(arrays.weights))
    remaining = [p for p in range(arrays.num_projects) if arrays.costs[p] <= arrays.budget]
    spent = 0
    chosen: list[int] = []
    new_load: dict[str, Fraction] = {}
    while remaining:
        finite = [p for p in remaining if votes[p] > 0]
        if finite:
            estimate = {
                p: (float(weights_f[support.rows[p]] @ load_f[support.rows[p]])
                    + float(arrays.costs[p])) / votes[p]
                for p in finite
            }
            lowest = min(estimate.values())
            exact_loads = {
                p: _exact_new_load(
                    arrays, support.rows[p], row_load, load_values, votes[p], arrays.costs[p]
                )
                for p in finite
                if estimate[p] <= lowest * (1 + TOLERANCE)
            }
            best = min(exact_loads.values())
            tied = [p for p, value in exact_loads.items() if value == best]
        else:
            best, tied = None, list(remaining)
        if any(spent + arrays.costs[p] > arrays.budget for p in tied):
            break  # pabutools: stop at the first minimiser that does not fit
        p = min(tied, key=lambda q: rank[q])
        if best is not None:
            load_values.append(best)
            row_load[support.rows[p]] = len(load_values) - 1
            load_f[support.rows[p]] = float(best)
            new_load[arrays.ids[p]] = best
        chosen.append(p)
        spent += arrays.costs[p]
        remaining.remove(p)
    return make_outcome("phragmen", arrays, chosen, {"load": new_load})


def _exact_new_load(arrays, rows, row_load, load_values, votes, cost) -> Fraction:
    """(Σ supporters' loads + c) / #supporters, exactly (loads grouped by value)."""
    weight_per_load = np.bincount(row_load[rows], weights=arrays.weights[rows].astype(np.float64))
    present = np.flatnonzero(weight_per_load)
    total = exact_weighted_sum([load_values[k] for k in present], weight_per_load[present])
    total = Fraction(int(total.numerator), int(total.denominator))
    return (total + cost) / votes


def exact_weighted_sum(values, weights):
    """Σ w·v over exact rationals, summing per denominator first (fast for many values)."""
    by_denominator: dict[int, int] = {}
    for value, weight in zip(values, weights, strict=True):
        d = int(value.denominator)
        by_denominator[d] = by_denominator.get(d, 0) + int(value.numerator) * int(weight)
    if not by_denominator:
        return exact(0)
    common = math.lcm(*by_denominator)
    return exact(sum(n * (common // d) for d, n in by_denominator.items()), common)
