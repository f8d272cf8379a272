"""pabulib files in and out, and the machine-readable process (`/budgets/<id>.json`).

An imported file becomes a process in the results phase with its META and PROJECTS columns
kept, so its export gives the engine the same election (docs/pb-rules.md §1). Ballots are
inserted with one executemany, not ORM objects. Exports number the ballots and carry no voter
metadata (age, sex, …): no personal data leaves.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import insert

from core import audit
from core.db import db, write_transaction
from core.process import Audience, Commitment
from pb.instance import Instance, Profile, format_money
from pb.models import Ballot, BudgetProcess, BudgetProject, Phase
from pb.money import COUNTRY_CURRENCY, major_text, to_minor
from pb.pabulib import PabulibError, format_pabulib, read_pabulib
from pb.results import election, rule_options, stored

WEB_VOTE_TYPE = {"approval": "approval", "choose-1": "approval", "ordinal": "ordinal",
                 "cumulative": "cumulative", "scoring": "cumulative"}
KNOWN_PROJECT_COLUMNS = ("project_id", "cost", "name", "category")


def _currency(meta) -> str:
    currency = meta.get("currency", "").strip().upper()
    if len(currency) == 3 and currency.isalpha():
        return currency
    return COUNTRY_CURRENCY.get(meta.get("country", "").strip().lower(), "EUR")


def _title(meta, path: Path) -> str:
    parts = [meta.get(k, "").strip() for k in ("unit", "subunit", "district", "instance")]
    return (" ".join(p for p in parts if p) or meta.get("description", "") or path.stem)[:200]


BIGINT_MAX = 2**63 - 1  # the money columns are BigInteger (minor units)


def _storable(minor: int) -> int:
    if abs(minor) > BIGINT_MAX:
        raise ValueError("the amount is too large to store")
    return minor


def read_checked(path: str | Path, *, rule: str, options: dict) -> tuple[Instance, Profile]:
    """Parse the file and check the rule can run on it; PabulibError names file and line."""
    path = Path(path)
    instance, profile = read_pabulib(path)
    currency = _currency(instance.meta)
    for project in instance.projects:
        try:
            _storable(to_minor(project.cost, currency))
        except ValueError as exc:
            raise PabulibError(path.name, 0, f"project {project.id}: {exc}") from None
    try:
        _storable(to_minor(instance.budget, currency))
    except ValueError as exc:
        raise PabulibError(path.name, 0, f"budget: {exc}") from None
    if rule == "phragmen" and WEB_VOTE_TYPE[instance.vote_type] != "approval":
        raise PabulibError(path.name, 0, "phragmen needs approval ballots")
    if options.get("utility") == "points" and instance.vote_type not in ("cumulative",
                                                                          "scoring"):
        raise PabulibError(path.name, 0, "utility 'points' needs cumulative or scoring ballots")
    if options.get("utility") == "borda" and instance.vote_type != "ordinal":
        raise PabulibError(path.name, 0, "utility 'borda' needs ordinal ballots")
    return instance, profile


def import_file(path: str | Path, *, rule: str, options: dict, now: datetime,
                actor=None) -> int:
    """Create a process in the results phase from a pabulib file; returns its id.

    Raises PabulibError (``file:line: message``) and creates nothing for a bad file."""
    path = Path(path)
    instance, profile = read_checked(path, rule=rule, options=options)
    meta, currency = dict(instance.meta), _currency(instance.meta)
    with write_transaction():
        process = BudgetProcess(
            title=_title(meta, path), description=meta.get("description", "")[:2000],
            commitment=Commitment.BINDING, audience=Audience.PUBLIC, currency=currency,
            owner_id=getattr(actor, "id", None), area=meta.get("unit", "")[:120],
            budget=to_minor(instance.budget, currency),
            vote_type=WEB_VOTE_TYPE[instance.vote_type], rule=rule, rule_options=options,
            pabulib={"meta": meta, "project_columns": list(instance.project_columns),
                     "file": path.name},
            phase=Phase.RESULTS, voting_opened_at=now, closed_at=now)
        db.session.add(process)
        db.session.flush()
        db.session.execute(insert(BudgetProject), [
            {"process_id": process.id, "project_id": p.id, "cost": to_minor(p.cost, currency),
             "name": (p.extra.get("name") or p.id)[:200],
             "category": p.extra.get("category", "")[:80], "description": "",
             "extra": {k: v for k, v in p.extra.items() if k not in KNOWN_PROJECT_COLUMNS},
             "created_at": now}
            for p in instance.projects])
        texts = [(",".join(projects),
                  None if points is None else ",".join(map(format_money, points)))
                 for projects, points in profile.distinct]
        db.session.execute(insert(Ballot), [
            {"process_id": process.id, "voter_key": f"import:{v}", "vote": texts[k][0],
             "points": texts[k][1], "channel": "import", "cast_at": now, "updated_at": now}
            for v, k in enumerate(profile.ballot_index, 1)])
        audit.record(actor, "budget.import", "budget_process", process.id, now=now,
                     file=path.name, ballots=len(profile))
        return process.id


def export_text(process: BudgetProcess) -> str:
    """The process and its ballots as a pabulib file (numbered voters, no voter metadata)."""
    return format_pabulib(*election(process))


def as_json(process: BudgetProcess) -> dict:
    """The machine-readable process (issue 11 "Machine-readable")."""
    currency = process.currency
    rules = process.ballot_rules
    data = {
        "id": process.id, "title": process.title, "phase": str(process.phase),
        "commitment": str(process.commitment), "audience": str(process.audience),
        "area": process.area, "currency": currency,
        "budget": major_text(process.budget, currency),
        "vote_type": rules.vote_type,
        "ballot_rules": {"min_projects": rules.min_projects,
                         "max_projects": rules.max_projects,
                         "min_share_spent": rules.min_share_spent,
                         "points_total": rules.points_total,
                         "max_points_per_project": rules.max_points_per_project,
                         "rank_limit": rules.rank_limit},
        "rule": process.rule, "rule_options": rule_options(process),
        "eligible_areas": list(process.eligible_areas or ()),  # empty: every area
        "projects": [{"id": p.project_id, "name": p.name,
                      "cost": major_text(p.cost, currency), "category": p.category}
                     for p in process.ballot_projects],
    }
    result = stored(process.id)
    if result is not None and process.phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
        data["results"] = {"rule": result.rule, "options": result.options,
                           "selected": result.selected,
                           "cost": major_text(result.cost, currency),
                           "ballot_count": result.ballot_count,
                           "computed_at": result.computed_at.isoformat()}
    return data
