"""The Method of Equal Shares, plainly: exact Fractions and loops, for reading (README §1, §2).

This is the rule that :func:`pb.rules.mes.mes` computes fast; tests compare both on random
elections (selection, prices, per-voter payments). Nothing here is shared with the fast code.

Each voter starts with budget B/n. Each round, every unbought project p with supporters
(utility u_i(p) > 0) and positive cost has a price ρ: the smallest ρ with
Σ_i min(b_i, ρ·u_i(p)) = c(p), if its supporters hold at least c(p) in total (else p is
unaffordable, and stays so: budgets only shrink). The project with the smallest ρ is bought
(ties: the tie-breaking order) and each supporter pays min(b_i, ρ·u_i(p)). Supported
projects of cost 0 are bought first (docs/pb-rules.md §2, "Method of Equal Shares").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class ReferenceOutcome:
    selected: tuple[str, ...]  # in the order bought; add1u's greedy additions last
    mes_selected: tuple[str, ...]  # what the kept MES run bought
    per_voter_budget: Fraction | None  # the kept run's starting budget (None: no voters)
    rho: dict[str, Fraction]  # price per unit of utility of each project the MES run bought
    paid: tuple[Fraction, ...]  # what each voter (profile order) paid in the kept run


def utilities(instance, profile, utility: str) -> list[dict[str, Fraction]]:
    """u_i(p) > 0 of each voter (docs/pb-rules.md §2): cost or 1 for a listed project, its
    points (cumulative, scoring) or its Borda score len − position − 1 (ordinal)."""
    vote_type = "approval" if instance.vote_type == "choose-1" else instance.vote_type
    if utility == "points" and vote_type not in ("cumulative", "scoring"):
        raise ValueError("utility 'points' needs cumulative or scoring ballots")
    if utility == "borda" and vote_type != "ordinal":
        raise ValueError("utility 'borda' needs ordinal ballots")
    cost = {project.id: Fraction(project.cost) for project in instance.projects}
    voters = []
    for ballot in profile.ballots:
        u = {}
        for k, p in enumerate(ballot.projects):
            if utility == "cost":
                u[p] = cost[p]
            elif utility == "cardinality":
                u[p] = Fraction(1)
            elif utility == "points":
                u[p] = Fraction(ballot.points[k])
            else:  # borda
                u[p] = Fraction(len(ballot.projects) - k - 1)
        voters.append({p: v for p, v in u.items() if v > 0})
    return voters


def tie_order(instance, profile, tie_break: str) -> list[str]:
    """Project ids, the winner of every tie first: by id (``lexico``), or more voters listing
    it, then cheaper, then by id (``maxvotes-mincost``)."""
    ids = sorted(project.id for project in instance.projects)
    if tie_break == "lexico":
        return ids
    listing = {p: sum(p in ballot.projects for ballot in profile.ballots) for p in ids}
    cost = {project.id: project.cost for project in instance.projects}
    return sorted(ids, key=lambda p: (-listing[p], cost[p], p))


def price(cost: Fraction, supporters: list[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Smallest ρ with Σ min(b, ρ·u) = cost over (budget b, utility u) pairs; None if the
    supporters cannot pay. The poorest (by b/u) pay everything while ρ·u > b."""
    if sum(b for b, _ in supporters) < cost:
        return None
    paid, utility = Fraction(0), sum(u for _, u in supporters)
    for b, u in sorted(supporters, key=lambda pair: pair[0] / pair[1]):
        rho = (cost - paid) / utility
        if rho * u <= b:
            return rho
        paid, utility = paid + b, utility - u
    raise AssertionError("unreachable: the supporters hold at least the cost")


def equal_shares(costs, voters, start: Fraction, order: list[str]):
    """One MES run at per-voter budget ``start``: (bought ids in order, ρ of each, budgets)."""
    budget = [start] * len(voters)
    supporters = {p: [i for i, u in enumerate(voters) if p in u] for p in costs}
    supported = [p for p in costs if supporters[p]]
    bought = [p for p in supported if costs[p] == 0]
    rho = {p: Fraction(0) for p in bought}
    left = [p for p in supported if costs[p] > 0]
    while True:
        offers = []
        for p in left:
            rho_p = price(costs[p], [(budget[i], voters[i][p]) for i in supporters[p]])
            if rho_p is not None:
                offers.append((rho_p, order.index(p), p))
        if not offers:
            return bought, rho, budget
        rho_p, _, p = min(offers)
        for i in supporters[p]:
            budget[i] -= min(budget[i], rho_p * voters[i][p])
        bought.append(p)
        rho[p] = rho_p
        left.remove(p)


def increment(per_voter: Fraction):
    """add1's step: 1 unit up to B/n = 1000, then a power of ten, 0.1–1 % of B/n (README §2)."""
    return 1 if per_voter <= 1000 else 10 ** (math.floor(math.log10(per_voter)) - 2)


def mes_reference(instance, profile, *, utility: str = "cost", completion: str = "none",
                  tie_break: str = "lexico") -> ReferenceOutcome:
    """MES with completion ``none``, ``add1`` or ``add1u`` (README §2), exactly as
    :func:`pb.rules.mes.mes` with the default increment."""
    costs = {project.id: Fraction(project.cost) for project in instance.projects}
    budget = Fraction(instance.budget)
    voters = utilities(instance, profile, utility)
    order = tie_order(instance, profile, tie_break)
    bought, rho, start, left = [], {}, None, []
    if voters:
        buyable = {p for p in costs if costs[p] > 0 and any(p in u for u in voters)}
        start = per_voter = budget / len(voters)
        step = increment(start)
        bought, rho, left = equal_shares(costs, voters, per_voter, order)
        plain = completion == "none" or (completion == "add1" and instance.fully_funded)
        while not plain:
            spent = sum(costs[p] for p in bought)
            if spent > budget:
                break  # keep the previous, feasible run
            start, kept = per_voter, (bought, rho, left)
            if completion == "add1u" and all(p in bought or spent + costs[p] > budget
                                             for p in buyable):
                break  # exhaustive
            if completion == "add1" and buyable <= set(bought):
                break  # more money cannot change what MES buys
            per_voter += step
            bought, rho, left = equal_shares(costs, voters, per_voter, order)
        if not plain:
            bought, rho, left = kept
    selected = list(bought)
    if completion == "add1u":  # utilitarian greedy by votes, points or Borda score
        kind = {"ordinal": "borda", "cumulative": "points", "scoring": "points"}
        scored = utilities(instance, profile, kind.get(instance.vote_type, "cardinality"))
        score = {p: sum(u.get(p, 0) for u in scored) for p in costs}
        rest = budget - sum(costs[p] for p in selected)
        for p in sorted(costs, key=lambda p: (-score[p], order.index(p))):
            if p not in selected and costs[p] <= rest:
                selected.append(p)
                rest -= costs[p]
    paid = tuple(start - b for b in left)
    return ReferenceOutcome(tuple(selected), tuple(bought), start, rho, paid)
