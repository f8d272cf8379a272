"""Small hand-made elections for the PB tests, and the plain add1/add1u loop they compare
mes() against."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pb.instance import Ballot, Instance, Profile, Project
from pb.rules.greedy import greedy_fill
from pb.rules.mes.run import equal_shares_run

SHARED_PABULIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"


def make_election(costs: dict[str, int], budget, votes, *, vote_type: str = "approval"):
    """An (Instance, Profile) from ``{id: cost}``, a budget and one entry per voter.

    For approval/ordinal ballots each vote is a sequence of ids; for cumulative/scoring a
    ``{id: points}`` mapping.
    """
    instance = Instance(
        meta={"budget": str(budget), "vote_type": vote_type},
        projects=tuple(Project(pid, cost) for pid, cost in costs.items()),
    )
    ballots = []
    for v, vote in enumerate(votes):
        if isinstance(vote, dict):
            ballots.append(Ballot(f"v{v}", tuple(vote), tuple(vote.values())))
        else:
            ballots.append(Ballot(f"v{v}", tuple(vote)))
    return instance, Profile.from_ballots(ballots)


OWN = {"approval": "cardinality", "ordinal": "borda"}


def utilities(vote_type):
    """The utilities MES is checked with for `vote_type`: cost and the ballot's own."""
    return ("cost", OWN.get(vote_type, "points"))


def plain_add1(arrays, utility, completion, tie_break, step, fully_funded):
    """add1/add1u exactly as specified: one MES run per step, no shortcuts."""
    rank = arrays.tie_rank(tie_break)
    buyable = [
        p
        for p in range(arrays.num_projects)
        if arrays.support(utility).totals[p] > 0 and arrays.costs[p] > 0
    ]
    current = equal_shares_run(
        arrays, utility=utility, tie_rank=rank, start=Fraction(arrays.budget) / arrays.num_voters
    )
    result = current
    while not (completion == "add1" and fully_funded):
        spent = sum((arrays.costs[p] for p in current.selected), 0)
        if spent > arrays.budget:
            break
        result = current
        taken = set(current.selected)
        if completion == "add1u":
            if all(p in taken or spent + arrays.costs[p] > arrays.budget for p in buyable):
                break
        elif taken >= set(buyable):
            break
        current = equal_shares_run(
            arrays, utility=utility, tie_rank=rank, start=current.start + step
        )
    chosen = list(result.selected)
    if completion == "add1u":
        chosen = greedy_fill(arrays, chosen=chosen, tie_break=tie_break)[0]
    return result, chosen
