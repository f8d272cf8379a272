"""Building the outcome every rule returns (:class:`~pb.rules_base.Outcome`)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from pb.rules.profile_arrays import ProfileArrays
from pb.rules_base import Outcome


def covered_share(arrays: ProfileArrays, chosen: list[int] | tuple[int, ...]) -> Fraction:
    """Share of voters whose ballot lists at least one chosen project."""
    if arrays.num_voters == 0:
        return Fraction(0)
    covered = np.zeros(len(arrays.weights), dtype=bool)
    hit = np.isin(arrays.entry_project, np.asarray(chosen, dtype=np.int64))
    covered[arrays.entry_row[hit]] = True
    return Fraction(int(arrays.weights[covered].sum()), arrays.num_voters)


def make_outcome(
    rule: str, arrays: ProfileArrays, chosen, explanation: dict | None = None
) -> Outcome:
    """Build an :class:`Outcome` from project indices, adding ``covered_share``."""
    chosen = [int(p) for p in chosen]
    details = dict(explanation or {})
    details["covered_share"] = covered_share(arrays, chosen)
    return Outcome(
        rule=rule,
        selected=tuple(arrays.ids[p] for p in chosen),
        cost=sum((arrays.costs[p] for p in chosen), 0),
        explanation=details,
    )
