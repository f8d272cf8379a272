"""Results: load a process's ballots as columns into the engine, compute, store.

Never called from a page request: `flask budgets compute ID` and `flask budgets tick` run it
(ARCHITECTURE.md "Scale path"). Ballots are read with one SELECT of two text columns, not ORM
objects, and merged into a pabulib-style Profile; the stored result keeps the rule, its
options and the ballot count it came from.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from core import audit
from core.db import db, upsert, write_transaction
from pb.ballots import ENGINE_VOTE_TYPE, engine_constraints
from pb.ejr import check_ejr_up_to_one
from pb.instance import Instance, Profile, Project, exact_number, format_money
from pb.models import Ballot, BudgetProcess, BudgetResult
from pb.money import major_text, to_major, to_minor
from pb.rules import RULES, profile_arrays
from pb.rules.outcome import Outcome

WEB_PROJECT_COLUMNS = ("project_id", "cost", "name", "category")
DEFAULT_OPTIONS = {"mes": {"utility": "cost", "completion": "add1u"}}


def rule_options(process: BudgetProcess) -> dict:
    """Engine options of the process's rule (MES: cost utility + add1u unless imported)."""
    options = dict(DEFAULT_OPTIONS.get(process.rule, {}))
    options.update(process.rule_options or {})
    return options


def election(process: BudgetProcess) -> tuple[Instance, Profile]:
    """The process as the engine sees it: projects on the ballot and the ballots, identical
    ones next to each other (the order of export; no rule depends on it)."""
    # Identical ballots are merged by the database (GROUP BY), in order of first appearance:
    # the engine merges them anyway, and Python touches only the distinct ones.
    table = Ballot.__table__
    grouped = db.session.execute(
        select(table.c.vote, table.c.points, func.count())
        .where(table.c.process_id == process.id)
        .group_by(table.c.vote, table.c.points).order_by(func.min(table.c.id))).all()
    distinct = tuple(
        (tuple(p for p in vote.split(",") if p),
         None if points is None else tuple(exact_number(v) for v in points.split(",") if v))
        for vote, points, _count in grouped)
    index = [k for k, (_v, _p, count) in enumerate(grouped) for _ in range(count)]
    currency = process.currency
    projects = tuple(
        Project(p.project_id, to_major(p.cost, currency),
                {"name": p.name, "category": p.category, **(p.extra or {})})
        for p in process.ballot_projects)
    if process.pabulib:
        meta = dict(process.pabulib["meta"])
        columns = tuple(process.pabulib["project_columns"])
    else:
        rules = process.ballot_rules
        min_spent = None
        if rules.min_share_spent:
            min_spent = format_money(to_major(process.budget * rules.min_share_spent, currency)
                                     / 100)
        meta = {"description": process.title, "budget": major_text(process.budget, currency),
                "vote_type": ENGINE_VOTE_TYPE[rules.vote_type], "rule": process.rule,
                "currency": currency,
                **engine_constraints(rules, budget=major_text(process.budget, currency),
                                     min_spent=min_spent)}
        columns = WEB_PROJECT_COLUMNS
    meta.update(num_projects=str(len(projects)), num_votes=str(len(index)))
    with_points = meta["vote_type"] in ("cumulative", "scoring")
    profile = Profile(vote_columns=("voter_id", "vote", *(("points",) if with_points else ())),
                      voter_ids=tuple(map(str, range(1, len(index) + 1))),
                      distinct=distinct, ballot_index=tuple(index))
    return Instance(meta=meta, projects=projects, project_columns=columns), profile


class NoSuchProcess(LookupError):
    """No budget process has this id."""


def outcome_details(instance: Instance, profile: Profile, rule: str, options: dict):
    """(outcome of the rule, JSON-ready explanation: greedy comparison, prices, EJR check).

    With no ballots at all no rule is run: nothing is funded (no voter supports anything),
    and the explanation says ``no_ballots`` instead of prices nobody paid."""
    arrays = profile_arrays(instance, profile)
    if len(profile) == 0:
        return Outcome(rule=rule, selected=(), cost=0), {
            "no_ballots": True, "votes": {pid: 0 for pid in arrays.ids},
            "score": {pid: "0" for pid in arrays.ids}, "covered": 0,
            "greedy": {"selected": [], "cost": format_money(0), "covered": 0}}
    outcome = RULES[rule](instance, profile, arrays=arrays, **options)
    greedy = outcome if rule == "greedy" else RULES["greedy"](instance, profile, arrays=arrays)
    n = len(profile)
    scores = arrays.score()
    votes = arrays.approvers.tolist()
    index = {pid: k for k, pid in enumerate(arrays.ids)}
    details = {
        "votes": {pid: int(votes[k]) for k, pid in enumerate(arrays.ids)},
        "score": {pid: str(scores[k]) for k, pid in enumerate(arrays.ids)},
        "covered": int(outcome.explanation["covered_share"] * n),
        "greedy": {"selected": list(greedy.selected),
                   "cost": format_money(greedy.cost),
                   "covered": int(greedy.explanation["covered_share"] * n)},
    }
    if rule == "mes":
        rho = outcome.explanation["rho"]
        per_cost = options.get("utility", "cost") == "cost"
        details["price"] = {pid: float(r * instance.project_by_id[pid].cost if per_cost else r)
                            for pid, r in rho.items()}
        details["price_per"] = "supporter" if per_cost else "utility"
        details["completed"] = list(outcome.explanation.get("greedy_added", ()))
        details["per_voter_budget"] = float(outcome.explanation["per_voter_budget"])
    chosen = [index[pid] for pid in outcome.selected]
    ejr = check_ejr_up_to_one(
        entry_row=arrays.entry_row, entry_project=arrays.entry_project, weights=arrays.weights,
        costs=arrays.costs, budget=arrays.budget, num_voters=n, selected=chosen)
    details["ejr"] = {"exact": ejr.exact, "largest_size": ejr.largest_size,
                      "violations": [[arrays.ids[p] for p in t] for t in ejr.violations]}
    return outcome, details


def compute(process_id: int, *, now: datetime, actor=None) -> BudgetResult:
    """Compute and store the process's results (replacing earlier ones)."""
    process = db.session.get(BudgetProcess, process_id)
    if process is None:
        raise NoSuchProcess(process_id)
    instance, profile = election(process)
    options = rule_options(process)
    outcome, details = outcome_details(instance, profile, process.rule, options)
    values = {"process_id": process_id, "rule": process.rule, "options": options,
              "selected": list(outcome.selected),
              "cost": to_minor(outcome.cost, process.currency),
              "ballot_count": len(profile), "details": details, "computed_at": now}
    with write_transaction():
        stmt = upsert(BudgetResult).values(**values)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["process_id"],
            set_={k: getattr(stmt.excluded, k) for k in values if k != "process_id"}))
        audit.record(actor, "budget.compute", "budget_process", process_id, now=now,
                     rule=process.rule, ballots=len(profile))
    return db.session.scalar(select(BudgetResult).where(BudgetResult.process_id == process_id))


def stored(process_id: int) -> BudgetResult | None:
    return db.session.scalar(select(BudgetResult).where(BudgetResult.process_id == process_id))
