"""Numeric form of an election shared by the rules: merged ballots as numpy arrays.

Identical ballots (same approved set; same ranking; same points) are merged into one row with
a multiplicity, which is the "multiprofile" of docs/pb-rules.md §3.7. Utilities are integers
(fractional points are scaled by a common factor, which changes no rule outcome).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
from operator import itemgetter

import numpy as np

from pb.instance import Instance, Money, Profile
from pb.rules_base import TIE_BREAKS, UTILITIES


@dataclass(frozen=True)
class SupportLists:
    """For each project: its supporters (rows of merged ballots) and their integer utilities."""

    rows: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]
    totals: tuple[int, ...]


@dataclass
class ProfileArrays:
    """Merged ballots of one election (see module docstring). Build with :func:`profile_arrays`.

    Ballot entries are stored flat: entry ``e`` says that merged ballot ``entry_row[e]`` lists
    project ``entry_project[e]`` at position ``entry_position[e]`` (0 = first) with
    ``entry_points[e]`` points (1 for approval/ordinal), ``row_length[r]`` entries per row.
    """

    ids: tuple[str, ...]
    costs: tuple[Money, ...]
    budget: Money
    vote_type: str
    num_voters: int
    weights: np.ndarray  # (rows,) int64 multiplicity of each merged ballot
    voter_row: np.ndarray  # (voters,) row of each voter of the profile
    entry_row: np.ndarray
    entry_project: np.ndarray
    entry_position: np.ndarray
    entry_points: np.ndarray  # int64, or object when points are fractional/huge
    row_length: np.ndarray
    _support: dict = field(default_factory=dict, repr=False)

    @property
    def num_projects(self) -> int:
        return len(self.ids)

    @property
    def approvers(self) -> np.ndarray:
        """Number of voters listing each project."""
        return np.bincount(
            self.entry_project, weights=self.weights[self.entry_row], minlength=self.num_projects
        ).astype(np.int64)

    def tie_rank(self, tie_break: str) -> np.ndarray:
        """Position of each project in the tie-breaking order (0 = wins every tie).

        ``lexico``: by project id as a string (pabutools' default);
        ``maxvotes-mincost``: more voters listing it first, then cheaper, then by id
        (equalshares.net's default, docs/pb-rules.md §2).
        """
        if tie_break == "lexico":
            order = sorted(range(self.num_projects), key=lambda p: self.ids[p])
        elif tie_break == "maxvotes-mincost":
            approvers = self.approvers.tolist()
            order = sorted(
                range(self.num_projects),
                key=lambda p: (-approvers[p], self.costs[p], self.ids[p]),
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

    def utility_scale(self, utility: str) -> int:
        """Factor by which :meth:`entry_utility` scales fractional costs/points to integers."""
        if utility == "cost":
            numbers = list(self.costs)
        elif utility == "points" and self.entry_points.dtype == object:
            numbers = self.entry_points.tolist()
        else:
            return 1
        return math.lcm(*(Fraction(v).denominator for v in numbers)) if numbers else 1

    def entry_utility(self, utility: str) -> np.ndarray:
        """Utility of each entry: cost, 1, points or Borda len−position−1 (docs/pb-rules.md §2)."""
        if utility not in UTILITIES:
            raise ValueError(f"unknown utility {utility!r}; expected one of {UTILITIES}")
        if utility == "points":
            if self.vote_type not in ("cumulative", "scoring"):
                raise ValueError("utility 'points' needs cumulative or scoring ballots")
            points = self.entry_points
            if points.dtype == object:  # fractional points: scale all by one factor
                scale = self.utility_scale("points")
                return _exact_array([int(v * scale) for v in points.tolist()])
            return points
        if utility == "borda":
            if self.vote_type != "ordinal":
                raise ValueError("utility 'borda' needs ordinal ballots")
            return self.row_length[self.entry_row] - self.entry_position - 1
        if utility == "cardinality":
            return np.ones(len(self.entry_row), dtype=np.int64)
        # fractional costs: scale every cost utility by one common factor (MES is invariant)
        scale = self.utility_scale("cost")
        return _exact_array([int(c * scale) for c in self.costs])[self.entry_project]

    def _build_support(self, utility: str) -> SupportLists:
        values = self.entry_utility(utility)
        keep = np.flatnonzero(values > 0)
        order = keep[np.argsort(self.entry_project[keep], kind="stable")]
        counts = np.bincount(self.entry_project[order], minlength=self.num_projects)
        bounds = np.cumsum(counts)[:-1]
        rows = tuple(np.split(self.entry_row[order], bounds))
        vals = tuple(np.split(values[order], bounds))
        kept = values[order]
        weights = self.weights[self.entry_row[order]]
        if kept.dtype != object and len(kept) and (
            int(kept.max()) * int(self.weights.sum()) < 2**53
        ):  # every partial sum is an integer below 2**53: exact in float64
            totals = tuple(int(v) for v in np.bincount(
                self.entry_project[order], weights=kept * weights, minlength=self.num_projects))
        else:
            totals = tuple(_weighted_total(self.weights[r], u) for r, u in zip(rows, vals,
                                                                               strict=True))
        return SupportLists(rows, vals, totals)

    def score(self) -> list:
        """Greedy score of each project: votes (approval), total points, or Borda (§2)."""
        if self.vote_type == "approval":
            values = np.ones(len(self.entry_row), dtype=np.int64)
        elif self.vote_type == "ordinal":
            values = self.entry_utility("borda")
        else:
            values = self.entry_points
        weighted = values * self.weights[self.entry_row]
        scores = [0] * self.num_projects
        if weighted.dtype != object and len(weighted) and np.abs(weighted).max() < 2**50:
            sums = np.bincount(self.entry_project, weights=weighted, minlength=self.num_projects)
            return [int(v) for v in sums]  # exact: integers below 2**53
        for p, v in zip(self.entry_project.tolist(), weighted.tolist(), strict=True):
            scores[p] += v
        return scores


def _weighted_total(weights: np.ndarray, values: np.ndarray) -> int:
    """Σ w·v exactly, in Python integers (values may be huge or exact fractions scaled)."""
    return sum(int(w) * v for w, v in zip(weights.tolist(), values.tolist(), strict=True))


def _exact_array(values: list) -> np.ndarray:
    """int64 array if every value is an int that fits, else an object array of exact numbers."""
    if all(isinstance(v, int) and abs(v) < 2**62 for v in values):
        return np.asarray(values, dtype=np.int64)
    return np.asarray(values, dtype=object)


def profile_arrays(instance: Instance, profile: Profile) -> ProfileArrays:
    """Merge identical ballots of ``profile`` and index projects as in ``instance``.

    Approval ballots are merged as sets (order meaningless); ordinal ones as rankings;
    cumulative/scoring ones as project→points maps.
    """
    index = {project.id: p for p, project in enumerate(instance.projects)}
    vote_type = "approval" if instance.vote_type == "choose-1" else instance.vote_type
    if vote_type in ("approval", "ordinal"):
        row_of_distinct, lengths, flat_projects = _merge_lists(
            profile.distinct, index, as_sets=vote_type == "approval")
        points = np.ones(len(flat_projects), dtype=np.int64)
    else:
        row_of_distinct, lengths, flat_projects, points = _merge_points(profile.distinct, index)
    entry_row = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(len(entry_row), dtype=np.int64) - starts[entry_row]
    voter_row = row_of_distinct[np.asarray(profile.ballot_index, dtype=np.int64)]
    return ProfileArrays(
        ids=tuple(project.id for project in instance.projects),
        costs=tuple(project.cost for project in instance.projects),
        budget=instance.budget,
        vote_type=vote_type,
        num_voters=len(profile),
        weights=np.bincount(voter_row, minlength=len(lengths)).astype(np.int64),
        voter_row=voter_row,
        entry_row=entry_row,
        entry_project=flat_projects,
        entry_position=position,
        entry_points=points,
        row_length=lengths,
    )


def _merge_lists(distinct, index: dict[str, int], *, as_sets: bool):
    """Merged rows of approval (``as_sets``) or ordinal ballots, in order of first appearance:
    (merged row of each distinct ballot, row lengths, flat project indices).

    The profile's distinct ballots are distinct sequences already, so rankings need no
    merging; approval ballots listing the same set in another order do. Sets are found with a
    64-bit sum of random per-project keys; rows whose sums coincide are compared exactly."""
    rows = len(distinct)
    ballots = list(map(itemgetter(0), distinct))
    lengths = np.fromiter(map(len, ballots), np.int64, rows)
    names = list(chain.from_iterable(ballots))
    flat = np.fromiter(map(index.__getitem__, names), np.int64, len(names))
    identity = np.arange(rows, dtype=np.int64)
    if not as_sets or rows == 0:
        return identity, lengths, flat
    entry_row = np.repeat(identity, lengths)
    # sorted within each row (a stable argsort of int64 keys is a radix sort)
    flat = flat[np.argsort(entry_row * (len(index) + 1) + flat, kind="stable")]
    keys = np.random.default_rng(0).integers(0, 2**63, size=len(index) + 1, dtype=np.uint64)
    starts = np.cumsum(lengths) - lengths
    listed = lengths > 0
    sums = np.zeros(rows, dtype=np.uint64)
    if len(flat):
        sums[listed] = np.add.reduceat(keys[flat], starts[listed])  # wraps modulo 2**64
    _, inverse, counts = np.unique(sums, return_inverse=True, return_counts=True)
    first = identity.copy()  # the first row listing the same set
    seen: dict[tuple, int] = {}
    for r in (counts[inverse.reshape(-1)] > 1).nonzero()[0].tolist():
        first[r] = seen.setdefault(tuple(flat[starts[r]:starts[r] + lengths[r]].tolist()), r)
    kept = first == identity
    if kept.all():  # no set listed twice
        return identity, lengths, flat
    merged = np.cumsum(kept) - 1
    return merged[first], lengths[kept], flat[kept[entry_row]]


def _merge_points(distinct, index: dict[str, int]):
    """Merged rows of cumulative/scoring ballots as project→points maps (zero points kept:
    "listed" counts as approval for cost/cardinality, §2), in order of first appearance."""
    merged: dict[tuple, int] = {}
    row_of_distinct = []
    position_of = index.__getitem__
    for projects, points in distinct:
        key = tuple(sorted(zip(map(position_of, projects), points, strict=True)))
        row_of_distinct.append(merged.setdefault(key, len(merged)))
    keys = list(merged)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    flat_projects = np.asarray([p for key in keys for p, _ in key], dtype=np.int64)
    points = _exact_array([v for key in keys for _, v in key])
    return np.asarray(row_of_distinct, dtype=np.int64), lengths, flat_projects, points
