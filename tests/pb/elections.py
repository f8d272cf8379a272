"""Small hand-made elections for the PB tests."""

from __future__ import annotations

from pathlib import Path

from pb.instance import Ballot, Instance, Profile, Project

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
