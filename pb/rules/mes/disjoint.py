"""add1/add1u in closed form when no voter supports two projects (README §4.4).

Single-choice elections (``choose-1``, or approval with ``max_length`` 1, like Wrocław 2015's
108,499 voters and 337 projects) need hundreds of add1 steps, each an MES run. But when every
voter supports at most one project, MES decomposes: nothing else ever spends a supporter's
money, so at per-voter budget b the supporters of p hold n_p·b (n_p of them) and MES buys p iff
n_p·b ≥ c_p, whatever the utilities. The set bought at b is therefore
{p : c_p/n_p ≤ b}; it only grows, and only at the thresholds c_p/n_p. add1 steps
b_k = b_0 + k·δ, so p joins at step k_p = ⌈(c_p/n_p − b_0)/δ⌉ (0 if already affordable), and
the loop of :func:`pb.rules.mes.rule.add1` (stop before an infeasible step; with the exhaustive
stop, at the first exhaustive one; or once every buyable project is bought) is walked over the
distinct k_p instead of every step: between two of them the set, its cost and whether it is
exhaustive do not change. Only the MES run at the budget found is then computed, for the order
of purchase, the prices and the payments.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from pb.instance import Money
from pb.rules.profile_arrays import ProfileArrays, SupportLists
from pb.single_choice import add1_end


def supports_disjoint(support: SupportLists) -> bool:
    """True when no merged ballot supports two projects (linear: one bincount)."""
    listed = [rows for rows in support.rows if len(rows)]
    if not listed:
        return True
    return int(np.bincount(np.concatenate(listed)).max()) <= 1


def add1_steps(
    arrays: ProfileArrays,
    support: SupportLists,
    *,
    start: Fraction,
    step: Money,
    exhaustive_stop: bool,
) -> tuple[int, int, frozenset[int]]:
    """Where add1 ends on an election whose supports are disjoint (see module docstring).

    Returns ``(kept, stop, bought)``: add1 keeps the run at ``start + kept·step``; it went through
    the steps 0..``stop`` (``stop`` = ``kept`` + 1 when it stopped at an infeasible step); and
    ``bought``, the buyable projects MES buys at the kept budget.
    Assumes :func:`supports_disjoint` holds; :func:`pb.single_choice.add1_end` walks the steps.
    """
    supporters = [int(arrays.weights[rows].sum()) if support.totals[p] > 0 else 0
                  for p, rows in enumerate(support.rows)]
    return add1_end(arrays.costs, arrays.budget, supporters, start=start, step=step,
                    exhaustive_stop=exhaustive_stop)
