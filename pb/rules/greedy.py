"""Utilitarian greedy, skip-and-continue (docs/pb-rules.md §2, Greedy).

Projects in decreasing order of score — votes (approval), total points (cumulative/scoring),
Borda score len−index−1 (ordinal) — ties by the tie-breaking rule; a project that does not fit
in the remaining budget is skipped and the scan continues. This equals pabutools'
``greedy_utilitarian_welfare`` with ``Cost_Sat`` (approval) or points×cost / Borda×cost.
"""

from __future__ import annotations

from pb.instance import Instance, Profile
from pb.rules.outcome import Outcome, make_outcome
from pb.rules.profile_arrays import ProfileArrays, profile_arrays


def greedy_fill(
    arrays: ProfileArrays, *, chosen: list[int], tie_break: str
) -> tuple[list[int], list[int]]:
    """Complete ``chosen`` greedily; returns (all chosen, the added ones in order)."""
    scores = arrays.score()
    rank = arrays.tie_rank(tie_break)
    left = arrays.budget - sum((arrays.costs[p] for p in chosen), 0)
    taken = set(chosen)
    added = []
    for p in sorted(range(arrays.num_projects), key=lambda p: (-scores[p], rank[p])):
        if p not in taken and arrays.costs[p] <= left:
            added.append(p)
            left -= arrays.costs[p]
    return list(chosen) + added, added


def greedy(
    instance: Instance,
    profile: Profile,
    *,
    tie_break: str = "lexico",
    arrays: ProfileArrays | None = None,
) -> Outcome:
    """Greedy by score, skip-and-continue (see module docstring)."""
    arrays = arrays or profile_arrays(instance, profile)
    chosen, _ = greedy_fill(arrays, chosen=[], tie_break=tie_break)
    scores = arrays.score()
    return make_outcome(
        "greedy", arrays, chosen, {"score": {arrays.ids[p]: scores[p] for p in chosen}}
    )
