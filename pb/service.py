"""Budget process use cases for officials and citizens: create and edit processes, phases,
proposals and their review, implementation progress. One transaction each; officials'
actions are audited. Voting lives in pb/voting.py, results in pb/results.py.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from core import audit, similarity
from core.db import db, write_transaction
from pb import phases
from pb.models import (
    BudgetProcess,
    BudgetProject,
    Phase,
    ProgressStatus,
    ProgressUpdate,
    ProjectStatus,
    RulesFrozen,
)
from pb.phases import Schedule

PROCESS_FIELDS = ("title", "description", "area", "currency", "commitment", "audience")
RULE_FIELDS = ("budget", "vote_type", "min_projects", "max_projects", "min_share_spent",
               "points_total", "max_points_per_project", "rank_limit", "rule")
DATE_FIELDS = ("proposals_at", "review_at", "voting_at", "results_at", "implementation_at")


class NotFound(LookupError):
    """No such process or project."""


class ScheduleError(ValueError):
    """Phase dates out of order; ``fields`` names them."""

    def __init__(self, fields: list[str]):
        super().__init__(", ".join(fields))
        self.fields = fields


def get_process(process_id: int) -> BudgetProcess:
    process = db.session.get(BudgetProcess, process_id)
    if process is None:
        raise NotFound(process_id)
    return process


def save_process(process_id: int | None, *, actor, now: datetime, **values) -> BudgetProcess:
    """Create (``process_id`` None) or edit a process. Rules and budget are refused once
    voting opened unless unchanged (RulesFrozen); dates must be in phase order."""
    with write_transaction():
        process = BudgetProcess(owner_id=actor.id) if process_id is None else \
            get_process(process_id)
        schedule = Schedule(**{f.removesuffix("_at"): values[f] for f in DATE_FIELDS})
        if schedule.problems():
            raise ScheduleError(schedule.problems())
        rules = {f: values[f] for f in RULE_FIELDS}
        if process.rules_frozen:
            if any(getattr(process, f) != v for f, v in rules.items()):
                raise RulesFrozen("the budget and ballot rules are frozen since voting opened")
        else:
            process.set_rules(**rules)
        for field in PROCESS_FIELDS + DATE_FIELDS:
            setattr(process, field, values[field])
        if process_id is None:
            db.session.add(process)
            db.session.flush()
        audit.record(actor, "budget.save", "budget_process", process.id, now=now)
        return process


def move(process_id: int, target: Phase, *, actor, now: datetime) -> BudgetProcess:
    """Move a process to `target` now (an official publishing or ending a phase early)."""
    with write_transaction():
        process = get_process(process_id)
        old = process.phase
        process.move_to(Phase(target), now=now)
        audit.record(actor, "budget.phase", "budget_process", process.id, now=now,
                     old=str(old), new=str(target))
        return process


def tick(*, now: datetime) -> list[tuple[int, Phase, Phase]]:
    """Move every published process to the phase its dates say (`flask budgets tick`).
    Returns (id, old, new) for each moved process; the caller computes closed votes."""
    moved = []
    with write_transaction():
        live = select(BudgetProcess).where(BudgetProcess.phase.in_(phases.MOVED_BY_DATE))
        for process in db.session.scalars(live):
            old = process.phase
            due = phases.due_phase(old, process.schedule, now=now)
            while process.phase != due:
                step = next(t for t in phases.ORDER[phases.ORDER.index(process.phase) + 1:]
                            if phases.can_transition(phases.TRANSITIONS, process.phase, t)
                            and (t == due or process.schedule.start_of(t) is not None))
                process.move_to(step, now=now)
            if old != due:
                audit.record(None, "budget.phase", "budget_process", process.id, now=now,
                             old=str(old), new=str(due))
                moved.append((process.id, old, due))
    return moved


def submit_proposal(process_id: int, *, author, now: datetime, title: str, description: str,
                    estimated_cost: int, location: str, category: str) -> BudgetProject:
    """A citizen's project proposal, awaiting review (only in the proposals phase)."""
    with write_transaction():
        process = get_process(process_id)
        if process.phase != Phase.PROPOSALS:
            raise phases.InvalidTransition(process.phase, Phase.PROPOSALS)
        number = db.session.scalar(select(func.count(BudgetProject.id)).where(
            BudgetProject.process_id == process_id)) + 1
        taken = set(db.session.scalars(select(BudgetProject.project_id).where(
            BudgetProject.process_id == process_id)))
        while str(number) in taken:
            number += 1
        project = BudgetProject(
            process_id=process_id, project_id=str(number), name=title.strip(),
            description=description.strip(), cost=estimated_cost,
            estimated_cost=estimated_cost, location=location.strip(),
            category=category.strip(), status=ProjectStatus.PROPOSED, proposer_id=author.id,
            created_at=now)
        db.session.add(project)
        return project


def _project(process_id: int, project_pk: int) -> BudgetProject:
    project = db.session.get(BudgetProject, project_pk)
    if project is None or project.process_id != process_id:
        raise NotFound(project_pk)
    return project


def review_proposal(process_id: int, project_pk: int, *, actor, now: datetime,
                    feasible: bool, cost: int | None = None, reason: str = "",
                    merge_into: int | None = None) -> BudgetProject:
    """Mark a proposal feasible (with its final cost: it goes on the ballot), not feasible
    (with a public reason), or merged into another proposal. Refused once voting opened."""
    with write_transaction():
        process = get_process(process_id)
        if process.rules_frozen:
            raise RulesFrozen("the ballot is frozen since voting opened")
        project = _project(process_id, project_pk)
        if merge_into is not None:
            target = _project(process_id, merge_into)
            if target.id == project.id:
                raise ValueError("a proposal cannot be merged into itself")
            project.status, project.merged_into_id = ProjectStatus.MERGED, target.id
            project.review_reason = reason.strip()
        elif feasible:
            if cost is None or cost < 0:
                raise ValueError("a feasible project needs its final cost")
            project.status, project.cost, project.review_reason = \
                ProjectStatus.FEASIBLE, cost, reason.strip()
        else:
            if not reason.strip():
                raise ValueError("say publicly why the project is not feasible")
            project.status, project.review_reason = ProjectStatus.NOT_FEASIBLE, reason.strip()
        audit.record(actor, "budget.review", "budget_project", project.id, now=now,
                     status=str(project.status))
        return project


def post_progress(process_id: int, project_pk: int, *, actor, now: datetime,
                  status: ProgressStatus, percent: int, note: str, on: date) -> ProgressUpdate:
    """An implementation update of a funded project (after results)."""
    with write_transaction():
        process = get_process(process_id)
        if process.phase not in phases.AFTER_VOTING:
            raise phases.InvalidTransition(process.phase, Phase.IMPLEMENTATION)
        project = _project(process_id, project_pk)
        if not 0 <= percent <= 100:
            raise ValueError("percent must be from 0 to 100")
        update = ProgressUpdate(project_id=project.id, status=ProgressStatus(status),
                                percent=percent, note=note.strip(), on=on, author_id=actor.id,
                                created_at=now)
        db.session.add(update)
        audit.record(actor, "budget.progress", "budget_project", project.id, now=now,
                     percent=percent)
        return update


def similar_proposals(process: BudgetProcess, text: str, *, limit: int = 5):
    """(project, score) of the process's projects most like `text` (petitions' TF-IDF)."""
    projects = {p.id: p for p in process.projects if p.status != ProjectStatus.MERGED}
    index = similarity.cached_index(("budget", process.id), [
        (pk, f"{p.name}\n{p.description}") for pk, p in projects.items()])
    return [(projects[pk], score) for pk, score in index.similar(text, limit=limit,
                                                                   min_score=0.3)]
