"""Translated words for what budgets store as codes: phases, vote types, rules, ballot
problems, statuses. Pages and error reports show these; the database keeps the codes."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.labels import label  # noqa: F401 - templates call labels.label
from pb.ballots import Problem
from pb.models import ProgressStatus, ProjectStatus
from pb.phases import Phase

PHASES = {
    Phase.DRAFT: _l("Draft"),
    Phase.PROPOSALS: _l("Proposals"),
    Phase.REVIEW: _l("Review of proposals"),
    Phase.VOTING: _l("Voting"),
    Phase.RESULTS: _l("Results"),
    Phase.IMPLEMENTATION: _l("Implementation"),
}

VOTE_TYPES = {
    "approval": _l("Approval: choose the projects you support"),
    "knapsack": _l("Knapsack: choose projects that fit in the budget"),
    "cumulative": _l("Cumulative: distribute points"),
    "ordinal": _l("Ranking: rank your favourite projects"),
}

RULES = {
    "mes": _l("Method of Equal Shares"),
    "greedy": _l("Greedy (most votes first)"),
    "phragmen": _l("Sequential Phragmén"),
}

# Why, in one plain sentence (equalshares.net explains its rule the same way).
RULE_REASONS = {
    "mes": _l("The budget is split equally among the voters, and each project is paid for by "
              "the voters who support it, so every group of like-minded voters gets projects "
              "in proportion to its size."),
    "greedy": _l("Projects with the most votes are funded first, skipping those that no longer "
                 "fit in the remaining budget."),
    "phragmen": _l("Each project's cost is spread as evenly as possible over its supporters, "
                   "so that no group of voters carries more than its share."),
}

PROJECT_STATUSES = {
    ProjectStatus.PROPOSED: _l("Awaiting review"),
    ProjectStatus.FEASIBLE: _l("On the ballot"),
    ProjectStatus.NOT_FEASIBLE: _l("Not feasible"),
    ProjectStatus.MERGED: _l("Merged into another proposal"),
}

PROGRESS = {
    ProgressStatus.PLANNED: _l("Planned"),
    ProgressStatus.IN_PROGRESS: _l("In progress"),
    ProgressStatus.DONE: _l("Done"),
    ProgressStatus.CANCELLED: _l("Cancelled"),
}


def problem_text(problem: Problem, money=str) -> str:
    """One ballot problem in words; `money` formats amounts in minor units."""
    code, p = problem
    messages = {
        "unknown_project": lambda: _("These projects are not on this ballot: %(ids)s.",
                                     ids=p["projects"]),
        "repeated": lambda: _("Each project may appear only once."),
        "points_not_used": lambda: _("This ballot does not use points."),
        "too_few": lambda: _("Choose at least %(num)d projects.", num=p["min"]),
        "too_many": lambda: _("Choose at most %(num)d projects.", num=p["max"]),
        "over_budget": lambda: _("Your projects cost %(spent)s, more than the budget of "
                                 "%(budget)s.", spent=money(p["spent"]),
                                 budget=money(p["budget"])),
        "under_min_share": lambda: _("Your projects cost %(spent)s; choose projects worth at "
                                     "least %(percent)d%% of the budget.",
                                     spent=money(p["spent"]), percent=p["percent"]),
        "points_missing": lambda: _("Give a number of points to each chosen project."),
        "negative": lambda: _("Points cannot be negative."),
        "not_a_number": lambda: _("Points must be whole numbers."),
        "too_many_points": lambda: _("You gave %(total)d points; at most %(max)d are allowed.",
                                     total=p["total"], max=p["max"]),
        "over_max_per_project": lambda: _("Give at most %(max)d points to one project.",
                                          max=p["max"]),
        "ranks_not_consecutive": lambda: _("Use the ranks 1, 2, 3… without gaps or repeats."),
    }
    return messages[code]()
