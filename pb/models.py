"""Participatory budgeting processes, projects, ballots, results (persistence only).

The phase is an explicit state machine (pb/phases.py); the ballot rules are frozen when voting
opens ("Frozen rules", ARCHITECTURE.md). Money is in minor units (cents), integers.
One ballot per voter per process is UNIQUE(process_id, voter_key); a changed ballot updates
its row. Voter codes are single use by a guarded UPDATE (pb/voting.py).
"""
from __future__ import annotations

import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from core.process import ProcessFraming
from pb import phases
from pb.ballots import BallotRules
from pb.phases import InvalidTransition, Phase, Schedule  # noqa: F401  (re-exported)

VOTE_TYPES = ("approval", "knapsack", "cumulative", "ordinal")


class RulesFrozen(ValueError):
    """Budget or ballot rules changed after voting opened."""


class ProjectStatus(enum.StrEnum):
    PROPOSED = "proposed"
    FEASIBLE = "feasible"  # on the ballot
    NOT_FEASIBLE = "not_feasible"
    MERGED = "merged"


class ProgressStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class BudgetProcess(ProcessFraming, db.Model):
    __tablename__ = "budget_processes"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("min_projects >= 0", name="min_projects_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=16),
                                         default=Phase.DRAFT)
    area: Mapped[str] = mapped_column(String(120), default="", server_default="")
    budget: Mapped[int] = mapped_column(BigInteger)  # minor units (cents)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    vote_type: Mapped[str] = mapped_column(String(16), default="approval")
    min_projects: Mapped[int] = mapped_column(Integer, default=0)
    max_projects: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_share_spent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    points_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_points_per_project: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rule: Mapped[str] = mapped_column(String(16), default="mes", server_default="mes")
    # Engine options of an imported process (utility, completion); web ones use the defaults.
    rule_options: Mapped[dict] = mapped_column(JSON, default=dict)
    # META and PROJECTS columns of an imported pabulib file, written back on export.
    pabulib: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    eligibility_limited: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Areas whose residents (User.area) may vote; empty: every area.
    eligible_areas: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    proposals_at = mapped_column(UTCDateTime, nullable=True)
    review_at = mapped_column(UTCDateTime, nullable=True)
    voting_at = mapped_column(UTCDateTime, nullable=True)
    results_at = mapped_column(UTCDateTime, nullable=True)  # voting closes
    implementation_at = mapped_column(UTCDateTime, nullable=True)
    voting_opened_at = mapped_column(UTCDateTime, nullable=True)
    closed_at = mapped_column(UTCDateTime, nullable=True)

    projects: Mapped[list[BudgetProject]] = relationship(
        back_populates="process", cascade="all, delete-orphan",
        order_by="BudgetProject.id")

    @property
    def rules_frozen(self) -> bool:
        return self.voting_opened_at is not None

    @property
    def ballot_rules(self) -> BallotRules:
        return BallotRules(
            vote_type=self.vote_type, min_projects=self.min_projects,
            max_projects=self.max_projects, min_share_spent=self.min_share_spent or 0,
            points_total=self.points_total, max_points_per_project=self.max_points_per_project,
            rank_limit=self.rank_limit, rule=self.rule or "mes")

    def set_rules(self, *, budget: int, vote_type: str = "approval", min_projects: int = 0,
                  max_projects: int | None = None, min_share_spent: int = 0,
                  points_total: int | None = None, max_points_per_project: int | None = None,
                  rank_limit: int | None = None, rule: str = "mes") -> None:
        """Set budget, ballot and outcome rules; refused once voting has opened."""
        if self.rules_frozen:
            raise RulesFrozen("the budget and ballot rules are frozen since voting opened")
        if not isinstance(budget, int) or budget < 0:
            raise ValueError("budget must be a non-negative whole number of minor units")
        BallotRules(vote_type=vote_type, min_projects=min_projects, max_projects=max_projects,
                    min_share_spent=min_share_spent, points_total=points_total,
                    max_points_per_project=max_points_per_project, rank_limit=rank_limit,
                    rule=rule)  # raises RulesError
        self.budget, self.vote_type, self.rule = budget, vote_type, rule
        self.min_projects, self.max_projects = min_projects, max_projects
        self.min_share_spent, self.points_total = min_share_spent, points_total
        self.max_points_per_project, self.rank_limit = max_points_per_project, rank_limit

    @property
    def schedule(self) -> Schedule:
        return Schedule(proposals=self.proposals_at, review=self.review_at,
                        voting=self.voting_at, results=self.results_at,
                        implementation=self.implementation_at)

    def move_to(self, phase: Phase, *, now) -> None:
        """Change phase if the table allows it, stamping when it happened (the caller audits)."""
        phases.check(self.phase or Phase.DRAFT, phase)  # unset until first flushed
        self.phase = phase
        if phase is Phase.VOTING:
            self.voting_opened_at = now
        elif phase is Phase.RESULTS:
            self.closed_at = now

    @property
    def ballot_projects(self) -> list[BudgetProject]:
        """The projects on the ballot: those found feasible."""
        return [p for p in self.projects if p.status == ProjectStatus.FEASIBLE]

    @property
    def total_cost(self) -> int:
        return sum(p.cost for p in self.ballot_projects)

    @classmethod
    def listed(cls) -> list[BudgetProcess]:
        """Processes citizens can see listed: not drafts, newest first."""
        query = select(cls).where(cls.phase != Phase.DRAFT).order_by(cls.id.desc())
        return list(db.session.scalars(query))


class BudgetProject(db.Model):
    __tablename__ = "budget_projects"
    __table_args__ = (
        UniqueConstraint("process_id", "project_id"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("budget_processes.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(String(64))  # pabulib project_id
    name: Mapped[str] = mapped_column(String(200))
    cost: Mapped[int] = mapped_column(BigInteger)  # minor units; the final cost once feasible
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="", server_default="")
    location: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[ProjectStatus] = mapped_column(
        Enum(ProjectStatus, native_enum=False, length=16), default=ProjectStatus.FEASIBLE,
        server_default="FEASIBLE")
    estimated_cost: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    review_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("budget_projects.id", ondelete="SET NULL"), nullable=True)
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # other pabulib PROJECTS columns
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=True)

    process: Mapped[BudgetProcess] = relationship(back_populates="projects")
    progress: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="ProgressUpdate.on, ProgressUpdate.id")


class Ballot(db.Model):
    """One voter's current ballot, stored as a pabulib VOTES row (``vote``, ``points``).

    ``voter_key`` is ``u<user id>``, ``c<voter code id>``, ``paper:<sheet>`` or ``import:<n>``;
    it never leaves the database (exports number the ballots instead)."""

    __tablename__ = "budget_ballots"
    __table_args__ = (UniqueConstraint("process_id", "voter_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("budget_processes.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(String(80))
    vote: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt: Mapped[str | None] = mapped_column(String(24), nullable=True, unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="online")
    cast_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class VoterCode(db.Model):
    """A single-use code an official prints for in-person voting."""

    __tablename__ = "budget_voter_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("budget_processes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)


class EligibleVoter(db.Model):
    """An entry of a process's eligibility list: an email address (lower case)."""

    __tablename__ = "budget_eligible_voters"
    __table_args__ = (UniqueConstraint("process_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("budget_processes.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))


class BudgetResult(db.Model):
    """The outcome computed by the engine (never in a request), with what it came from."""

    __tablename__ = "budget_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("budget_processes.id", ondelete="CASCADE"), unique=True)
    rule: Mapped[str] = mapped_column(String(16))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    selected: Mapped[list] = mapped_column(JSON, default=list)  # project ids, bought order
    cost: Mapped[int] = mapped_column(BigInteger)  # minor units
    ballot_count: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at = mapped_column(UTCDateTime, nullable=False)


class ProgressUpdate(db.Model):
    """Implementation progress of a funded project, as an official reports it."""

    __tablename__ = "budget_progress"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("budget_projects.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProgressStatus] = mapped_column(
        Enum(ProgressStatus, native_enum=False, length=16))
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    on = mapped_column(Date, nullable=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    project: Mapped[BudgetProject] = relationship(back_populates="progress")
