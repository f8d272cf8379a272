"""Numeric form of an election shared by the rules: merged ballots as numpy arrays.

Identical ballots (same approved set; same ranking; same points) are merged into one row with
a multiplicity, which is the "multiprofile" of docs/pb-rules.md §3.7. Utilities are integers
(fractional points are scaled by a common factor, which changes no rule outcome).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.instance import Instance, Money, Profile

UTILITIES = ("cost", "cardinality", "points", "borda")
TIE_BREAKS = ("lexico", "maxvotes-mincost")


@dataclass(frozen=True)
class SupportLists:
    """For each project: its supporters (rows of merged ballots) and their integer utilities."""

    rows: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]
    totals: tuple[int, ...]


@dataclass
class ProfileArrays:
    """Merged ballots of one election (see module docstring). Build with :func:`profile_arrays`."""

    ids: tuple[str, ...]
    costs: tuple[Money, ...]
    budget: Money
    vote_type: str
    num_voters: int
    weights: np.ndarray  # (rows,) int64 multiplicity of each merged ballot
    voter_row: np.ndarray  # (voters,) row of each voter of the profile
    entries: tuple[tuple[tuple[int, Money], ...], ...]  # per row: (project, points/rank) pairs
    approvers: np.ndarray  # (projects,) int64 number of voters listing the project
    _support: dict[str, SupportLists] = field(default_factory=dict, repr=False)

    @property
    def num_projects(self) -> int:
        return len(self.ids)

    def tie_rank(self, tie_break: str) -> np.ndarray:
        """Position of each project in the tie-breaking order (0 = wins every tie).

        ``lexico``: by project id as a string (pabutools' default);
        ``maxvotes-mincost``: more voters listing it first, then cheaper, then by id
        (equalshares.net's default, docs/pb-rules.md §2).
        """
        if tie_break == "lexico":
            order = sorted(range(self.num_projects), key=lambda p: self.ids[p])
        elif tie_break == "maxvotes-mincost":
            order = sorted(
                range(self.num_projects),
                key=lambda p: (-int(self.approvers[p]), self.costs[p], self.ids[p]),
            )
        else:
            raise ValueError(f"unknown tie_break {tie_break!r}; expected one of {TIE_BREAKS}")
        rank = np.empty(self.num_projects, dtype=np.int64)
        rank[order] = np.arange(self.num_projects)
        return rank

    def support(self, utility: str) -> SupportLists:
        """Supporters (utility > 0) of each project under ``utility`` (cached)."""
        if utility not in self._support:
            self._support[utility] = self._build_support(utility)
        return self._support[utility]

    def _build_support(self, utility: str) -> SupportLists:
        if utility not in UTILITIES:
            raise ValueError(f"unknown utility {utility!r}; expected one of {UTILITIES}")
        if utility == "points" and self.vote_type not in ("cumulative", "scoring"):
            raise ValueError("utility 'points' needs cumulative or scoring ballots")
        if utility == "borda" and self.vote_type != "ordinal":
            raise ValueError("utility 'borda' needs ordinal ballots")
        rows: list[list[int]] = [[] for _ in self.ids]
        values: list[list[int]] = [[] for _ in self.ids]
        scale = 1
        if utility == "points":
            dens = {Fraction(v).denominator for entry in self.entries for _, v in entry}
            scale = math.lcm(*dens) if dens else 1
        for row, entry in enumerate(self.entries):
            length = len(entry)
            for position, (p, value) in enumerate(entry):
                if utility == "cost":
                    u = self.costs[p]
                elif utility == "cardinality":
                    u = 1
                elif utility == "points":
                    u = value * scale
                else:
                    u = length - position - 1
                if u > 0:
                    rows[p].append(row)
                    values[p].append(int(u) if utility != "cost" else u)
        weights = self.weights
        row_arrays = tuple(np.asarray(r, dtype=np.int64) for r in rows)
        value_arrays = tuple(_exact_array(v) for v in values)
        totals = tuple(
            int(sum(int(w) * u for w, u in zip(weights[r], v, strict=True)))
            if len(r) and utility != "cost"
            else self.costs[p] * int(weights[r].sum())
            for p, (r, v) in enumerate(zip(row_arrays, value_arrays, strict=True))
        )
        return SupportLists(row_arrays, value_arrays, totals)

    def score(self) -> list[int | Money]:
        """Greedy score of each project: votes (approval), total points, or Borda (§2)."""
        scores: list = [0] * self.num_projects
        for row, entry in enumerate(self.entries):
            weight = int(self.weights[row])
            length = len(entry)
            for position, (p, value) in enumerate(entry):
                if self.vote_type in ("approval", "choose-1"):
                    scores[p] += weight
                elif self.vote_type == "ordinal":
                    scores[p] += weight * (length - position - 1)
                else:
                    scores[p] += weight * value
        return scores


def _exact_array(values: list) -> np.ndarray:
    """int64 array if every value fits, else an object array of exact numbers."""
    if all(isinstance(v, int) and abs(v) < 2**62 for v in values):
        return np.asarray(values, dtype=np.int64)
    return np.asarray(values, dtype=object)


def profile_arrays(instance: Instance, profile: Profile) -> ProfileArrays:
    """Merge identical ballots of ``profile`` and index projects as in ``instance``.

    Approval ballots are merged as sets (order meaningless); ordinal ones as rankings;
    cumulative/scoring ones as project→points maps (zero points dropped).
    """
    index = {project.id: p for p, project in enumerate(instance.projects)}
    vote_type = "approval" if instance.vote_type == "choose-1" else instance.vote_type
    merged: dict[tuple, int] = {}
    row_of_distinct = []
    for projects, points in profile.distinct:
        if vote_type == "approval":
            key = tuple(sorted((index[pid], 1) for pid in projects))
        elif vote_type == "ordinal":
            key = tuple((index[pid], k) for k, pid in enumerate(projects))
        else:
            # zero points are kept: "listed" counts as approval for cost/cardinality (§2)
            key = tuple(sorted((index[pid], v) for pid, v in zip(projects, points, strict=True)))
        row_of_distinct.append(merged.setdefault(key, len(merged)))
    row_of_distinct_arr = np.asarray(row_of_distinct, dtype=np.int64)
    voter_row = row_of_distinct_arr[np.asarray(profile.ballot_index, dtype=np.int64)]
    weights = np.bincount(voter_row, minlength=len(merged)).astype(np.int64)
    entries = tuple(merged)
    approvers = np.zeros(len(index), dtype=np.int64)
    for row, entry in enumerate(entries):
        for p, _ in entry:
            approvers[p] += weights[row]
    return ProfileArrays(
        ids=tuple(project.id for project in instance.projects),
        costs=tuple(project.cost for project in instance.projects),
        budget=instance.budget,
        vote_type=vote_type,
        num_voters=len(profile),
        weights=weights,
        voter_row=voter_row,
        entries=entries,
        approvers=approvers,
    )
