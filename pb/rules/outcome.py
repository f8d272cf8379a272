"""The one outcome type every rule returns (docs/pb-rules.md §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.instance import Money
from pb.rules.profile_arrays import ProfileArrays


@dataclass(frozen=True)
class Outcome:
    """Selected projects (in the order the rule bought them), their exact total cost, and
    per-rule explanation data for the results page.

    ``explanation`` always has ``covered_share`` (Fraction: share of voters with at least one
    funded project on their ballot); MES adds ``rho`` (project id → price per unit of utility),
    ``paid`` (one exact amount per voter, profile order) and completion details.
    """

    rule: str
    selected: tuple[str, ...]
    cost: Money
    explanation: Mapping[str, object] = field(default_factory=dict)

    @property
    def selected_sorted(self) -> list[str]:
        """Selected ids sorted as strings (the CLI's ``--json`` order)."""
        return sorted(self.selected)


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
