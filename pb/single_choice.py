"""MES and its completions, exactly, where no voter supports two projects; no numpy.

Single-choice elections (``choose-1``, or approval ballots listing one project, like Wrocław
2015's 108,499 voters) decompose (pb/rules/mes/README.md §4.4): nothing else ever spends a
supporter's money, so at per-voter budget b the n_p supporters of p hold n_p·b and MES buys p iff
n_p·b ≥ c_p, at the price ρ_p = c_p / (n_p·u_p) per unit of utility (u_p = c_p for the cost
utility, 1 for cardinality), each supporter paying c_p/n_p; it buys them by increasing ρ, ties
broken by the tie-break order. add1 steps b_k = b_0 + k·δ, so the loop of
:func:`pb.rules.mes.rule.add1` is walked over the steps where a project joins
(:func:`add1_end`). Everything is exact (ints and Fractions) and takes a few milliseconds, so
``python -m pb outcome`` answers such files without importing numpy: :func:`single_choice_mes`
gives the same :class:`~pb.rules_base.Outcome` as :func:`pb.rules.mes.rule.mes`, explanation
included (tests/pb/test_mes_disjoint.py), or ``None`` where it does not apply.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

from pb.instance import Instance, Money, Profile
from pb.rules_base import COMPLETIONS, TIE_BREAKS, Outcome


def default_increment(per_voter: Fraction) -> Money:
    """δ for add1: 1 unit up to B/n = 1000, then a power of ten between 0.1 % and 1 % of B/n."""
    if per_voter <= 1000:
        return 1
    return 10 ** (math.floor(math.log10(per_voter)) - 2)


def add1_end(
    costs, budget: Money, supporters, *, start: Fraction, step: Money, exhaustive_stop: bool
) -> tuple[int, int, frozenset[int]]:
    """Where add1 ends when no voter supports two projects (``supporters[p]``: n_p).

    Returns ``(kept, stop, bought)``: add1 keeps the run at ``start + kept·step``; it went through
    the steps 0..``stop`` (``stop`` = ``kept`` + 1 when it stopped at an infeasible step); and
    ``bought``, the buyable projects (supported, positive cost) MES buys at the kept budget.
    p joins at step k_p = ⌈(c_p/n_p − b_0)/δ⌉ (0 if already affordable); between two such steps
    the set, its cost and whether it is exhaustive do not change.
    """
    joins: dict[int, list[int]] = {0: []}  # step 0 is checked even if nothing joins there
    # c/n ≤ s and k = ⌈(c/n − s)/δ⌉ in integers (s = s1/s2, δ = d1/d2): a few hundred Fraction
    # operations would be most of the time of this function
    s1, s2 = start.as_integer_ratio()
    d1, d2 = step.as_integer_ratio()
    for p, (cost, count) in enumerate(zip(costs, supporters, strict=True)):
        if count <= 0 or cost <= 0:
            continue  # not buyable: unsupported, or free (bought at any budget, costs nothing)
        c1, c2 = cost.as_integer_ratio()
        above = c1 * s2 - count * c2 * s1  # sign of c/n − s, times n·c2·s2 > 0
        k = 0 if above <= 0 else -(-(above * d2) // (count * c2 * s2 * d1))
        joins.setdefault(k, []).append(p)
    buyable = sorted(p for group in joins.values() for p in group)
    taken: set[int] = set()
    spent: Money = 0
    kept = 0
    for k in sorted(joins):
        spent += sum((costs[p] for p in joins[k]), 0)
        if spent > budget:  # steps kept+1 .. k-1 select what step `kept` does
            return k - 1, k, frozenset(taken)  # k > 0: plain MES never overspends
        taken.update(joins[k])
        kept = k
        left = budget - spent
        if exhaustive_stop:
            if all(p in taken or costs[p] > left for p in buyable):
                break
        elif len(taken) == len(buyable):
            break
    return kept, kept, frozenset(taken)


def single_choice_mes(
    instance: Instance,
    profile: Profile,
    *,
    utility: str = "cost",
    completion: str = "none",
    tie_break: str = "lexico",
    increment: Money | None = None,
) -> Outcome | None:
    """:func:`pb.rules.mes.rule.mes` on an approval/choose-1 election whose ballots list at most
    one project each, with the cost or cardinality utility; ``None`` on any other election or
    option (the general rule then answers, or refuses the option)."""
    if (utility not in ("cost", "cardinality") or completion not in COMPLETIONS
            or tie_break not in TIE_BREAKS or (increment is not None and increment <= 0)
            or instance.vote_type not in ("approval", "choose-1") or len(profile) == 0):
        return None
    projects = instance.projects
    ids = [project.id for project in projects]
    costs = [project.cost for project in projects]
    index = {pid: p for p, pid in enumerate(ids)}
    voters_of = Counter(profile.ballot_index)
    supporters = [0] * len(ids)
    ballot_project: list[int | None] = []
    for k, (listed, _) in enumerate(profile.distinct):
        if len(listed) > 1 or any(pid not in index for pid in listed):
            return None
        p = index[listed[0]] if listed else None
        ballot_project.append(p)
        if p is not None:
            supporters[p] += voters_of[k]
    budget, num_voters = instance.budget, len(profile)
    if tie_break == "lexico":
        order = sorted(range(len(ids)), key=ids.__getitem__)
    else:  # maxvotes-mincost
        order = sorted(range(len(ids)), key=lambda p: (-supporters[p], costs[p], ids[p]))
    rank = [0] * len(ids)
    for position, p in enumerate(order):
        rank[p] = position

    start = Fraction(budget) / num_voters
    step = default_increment(start) if increment is None else increment
    details: dict = {"completion": completion, "utility": utility}
    if completion == "none" or (completion == "add1" and instance.fully_funded):
        final, runs = start, 1
    else:
        kept, stop, _ = add1_end(costs, budget, supporters, start=start, step=step,
                                 exhaustive_stop=completion == "add1u")
        final, runs = start + kept * step, stop + 1
    if completion == "add1":
        details["fully_funded"] = instance.fully_funded

    # free projects have no utility under ``cost``; with ``cardinality`` MES buys the supported
    # ones first, in project order, at price 0
    free = [p for p, n in enumerate(supporters) if n > 0 and costs[p] == 0
            and utility == "cardinality"]
    f1, f2 = Fraction(final).as_integer_ratio()
    bought = [p for p, n in enumerate(supporters)
              if n > 0 and costs[p] > 0 and costs[p] * f2 <= n * f1]  # c_p ≤ n_p·b
    if utility == "cost":  # ρ = 1/n_p: by decreasing n_p (integers, not Fractions)
        chosen = free + sorted(bought, key=lambda p: (-supporters[p], rank[p]))
        rho = {p: Fraction(1, supporters[p]) for p in bought}
    else:
        rho = {p: Fraction(costs[p]) / supporters[p] for p in bought}
        chosen = free + sorted(bought, key=lambda p: (rho[p], rank[p]))
    zero = Fraction(0)
    rho.update((p, zero) for p in free)
    share = [zero] * len(ids)
    for p in rho:
        share[p] = Fraction(costs[p], supporters[p])  # Fraction(c, n) divides a Fraction c too
    paid_by_ballot = [zero if p is None else share[p] for p in ballot_project]
    details.update(
        mes_selected=tuple(ids[p] for p in chosen),
        per_voter_budget=final,
        increment=step if completion != "none" else None,
        runs=runs,
        computed_runs=1,
        rho={ids[p]: rho[p] for p in chosen},
        paid=tuple(map(paid_by_ballot.__getitem__, profile.ballot_index)),
    )
    if completion == "add1u":
        left = budget - sum((costs[p] for p in chosen), 0)
        taken = set(chosen)
        added = []
        for p in sorted(range(len(ids)), key=lambda p: (-supporters[p], rank[p])):
            if p not in taken and costs[p] <= left:
                added.append(p)
                left -= costs[p]
        chosen += added
        details["greedy_added"] = tuple(ids[p] for p in added)
    details["covered_share"] = Fraction(sum(supporters[p] for p in chosen), num_voters)
    return Outcome(
        rule="mes",
        selected=tuple(ids[p] for p in chosen),
        cost=sum((costs[p] for p in chosen), 0),
        explanation=details,
    )
