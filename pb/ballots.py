"""Ballot rules and ballot validation per vote type (pure: no Flask, no SQLAlchemy).

Vote types (docs/civic-platforms.md §1 "Participatory budgeting"; docs/pb-rules.md §1):

``approval``   choose between ``min_projects`` and ``max_projects`` projects;
``knapsack``   the chosen projects must fit the budget, and cost at least
               ``min_share_spent`` percent of it (Decidim's "minimum % spent");
``cumulative`` give whole points, at most ``points_total`` in all and
               ``max_points_per_project`` to one project;
``ordinal``    rank up to ``rank_limit`` projects (1 = most preferred).

Problems are returned as codes with parameters; the web layer words them. Money is integers.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

VOTE_TYPES = ("approval", "knapsack", "cumulative", "ordinal")
OUTCOME_RULES = ("mes", "greedy", "phragmen")
ENGINE_VOTE_TYPE = {"approval": "approval", "knapsack": "approval",
                    "cumulative": "cumulative", "ordinal": "ordinal"}


class Problem(NamedTuple):
    code: str
    params: dict


class RulesError(ValueError):
    """Ballot rules that contradict themselves; ``field`` names the bad setting."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BallotRules:
    """What a valid ballot looks like and which rule counts them; frozen when voting opens."""

    vote_type: str = "approval"
    min_projects: int = 0
    max_projects: int | None = None
    min_share_spent: int = 0  # percent of the budget, knapsack only
    points_total: int | None = None
    max_points_per_project: int | None = None
    rank_limit: int | None = None
    rule: str = "mes"

    def __post_init__(self):
        if self.vote_type not in VOTE_TYPES:
            raise RulesError(f"vote type must be one of {VOTE_TYPES}", "vote_type")
        if self.rule not in OUTCOME_RULES:
            raise RulesError(f"rule must be one of {OUTCOME_RULES}", "rule")
        if self.rule == "phragmen" and self.vote_type not in ("approval", "knapsack"):
            raise RulesError("Phragmén needs approval or knapsack ballots", "rule")
        for name in ("min_projects", "max_projects", "points_total",
                     "max_points_per_project", "rank_limit"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise RulesError(f"{name} must be a whole number ≥ 0", name)
        if self.max_projects is not None and self.max_projects < max(self.min_projects, 1):
            raise RulesError("max_projects must be at least min_projects and 1", "max_projects")
        if not 0 <= self.min_share_spent <= 100:
            raise RulesError("min_share_spent is a percentage", "min_share_spent")
        if self.vote_type == "cumulative" and not self.points_total:
            raise RulesError("cumulative ballots need points to distribute", "points_total")
        if self.vote_type == "ordinal" and not self.rank_limit:
            raise RulesError("ordinal ballots need a number of ranks", "rank_limit")


@dataclass(frozen=True)
class Choice:
    """A voter's choice: project ids (ranked order for ordinal) and points (cumulative)."""

    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None

    def encode(self) -> tuple[str, str | None]:
        """(``vote``, ``points``) as in a pabulib VOTES row."""
        points = None if self.points is None else ",".join(map(str, self.points))
        return ",".join(self.projects), points


def decode(vote: str, points: str | None) -> Choice:
    """Inverse of :meth:`Choice.encode` (assumes stored, valid text)."""
    projects = tuple(p for p in vote.split(",") if p)
    return Choice(projects, None if points is None else
                  tuple(int(v) for v in points.split(",") if v))


def _whole(text: str) -> int | None:
    text = text.strip()
    if not text:
        return 0
    if text.lstrip("-").isdigit() and len(text) < 12:
        return int(text)
    return None


def read_choice(rules: BallotRules, fields: Mapping[str, Sequence[str]]
                ) -> tuple[Choice | None, list[Problem]]:
    """The choice in submitted form fields: ``project`` (repeated; approval/knapsack),
    ``points-<id>`` (cumulative) or ``rank-<id>`` (ordinal). Unreadable numbers are problems."""
    problems: list[Problem] = []
    if rules.vote_type in ("approval", "knapsack"):
        return Choice(tuple(fields.get("project", ()))), problems
    prefix = "points-" if rules.vote_type == "cumulative" else "rank-"
    given: list[tuple[str, int]] = []
    for name, values in fields.items():
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):]
        number = _whole(values[-1] if values else "")
        if number is None:
            problems.append(Problem("not_a_number", {"project": pid}))
        elif number < 0:
            problems.append(Problem("negative", {"project": pid}))
        elif number:
            given.append((pid, number))
    if problems:
        return None, problems
    if rules.vote_type == "cumulative":
        given.sort(key=lambda item: (-item[1], item[0]))
        return Choice(tuple(p for p, _ in given), tuple(n for _, n in given)), problems
    given.sort(key=lambda item: (item[1], item[0]))
    ranks = [n for _, n in given]
    if ranks != list(range(1, len(ranks) + 1)):
        problems.append(Problem("ranks_not_consecutive", {}))
        return None, problems
    return Choice(tuple(p for p, _ in given)), problems


def check_choice(rules: BallotRules, choice: Choice, *, costs: Mapping[str, int],
                 budget: int) -> list[Problem]:
    """Every way `choice` breaks `rules` for a ballot of projects `costs` (id → cost) under
    `budget` (same money unit). Empty list: valid."""
    problems: list[Problem] = []
    unknown = [p for p in choice.projects if p not in costs]
    if unknown:
        problems.append(Problem("unknown_project", {"projects": ", ".join(unknown)}))
    if len(set(choice.projects)) != len(choice.projects):
        problems.append(Problem("repeated", {}))
    count = len(choice.projects)
    if rules.vote_type in ("approval", "knapsack") and choice.points is not None:
        problems.append(Problem("points_not_used", {}))
    if count < rules.min_projects:
        problems.append(Problem("too_few", {"min": rules.min_projects}))
    limit = rules.rank_limit if rules.vote_type == "ordinal" else rules.max_projects
    if limit is not None and count > limit:
        problems.append(Problem("too_many", {"max": limit}))
    if rules.vote_type == "knapsack" and not unknown:
        spent = sum(costs[p] for p in set(choice.projects))
        if spent > budget:
            problems.append(Problem("over_budget", {"spent": spent, "budget": budget}))
        elif spent * 100 < budget * rules.min_share_spent and count:
            problems.append(Problem("under_min_share", {"spent": spent,
                                                        "percent": rules.min_share_spent}))
    if rules.vote_type == "cumulative":
        points = choice.points or ()
        if len(points) != count:
            problems.append(Problem("points_missing", {}))
        if any(n < 0 for n in points):
            problems.append(Problem("negative", {"project": ""}))
        total = sum(points)
        if rules.points_total is not None and total > rules.points_total:
            problems.append(Problem("too_many_points", {"total": total,
                                                        "max": rules.points_total}))
        cap = rules.max_points_per_project
        if cap is not None and any(n > cap for n in points):
            problems.append(Problem("over_max_per_project", {"max": cap}))
    return problems


def engine_constraints(rules: BallotRules, *, budget: str, min_spent: str | None
                       ) -> dict[str, str]:
    """The pabulib META ballot-constraint keys for `rules` (docs/pb-rules.md §1)."""
    meta: dict[str, str] = {}
    if rules.min_projects:
        meta["min_length"] = str(rules.min_projects)
    limit = rules.rank_limit if rules.vote_type == "ordinal" else rules.max_projects
    if limit is not None:
        meta["max_length"] = str(limit)
    if rules.vote_type == "knapsack":
        meta["max_sum_cost"] = budget
        if min_spent:
            meta["min_sum_cost"] = min_spent
    if rules.vote_type == "cumulative":
        meta["max_sum_points"] = str(rules.points_total)
        if rules.max_points_per_project is not None:
            meta["max_points"] = str(rules.max_points_per_project)
    return meta
