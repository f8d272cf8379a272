"""Participatory budgeting processes and their projects (persistence only).

The phase is an explicit state machine (ARCHITECTURE.md "Explicit state machines"); the
ballot rules are frozen when voting opens ("Frozen rules"). Money is in minor units.
"""
from __future__ import annotations

import enum

from sqlalchemy import (
    CheckConstraint,
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
from core.states import (
    InvalidTransition,  # noqa: F401 - re-exported: move_to raises it
    check_transition,
)


class Phase(enum.StrEnum):
    DRAFT = "draft"
    VOTING = "voting"
    CLOSED = "closed"


ALLOWED_TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.DRAFT: frozenset({Phase.VOTING}),
    Phase.VOTING: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}

VOTE_TYPES = ("approval", "cumulative", "ordinal", "cardinal")


class RulesFrozen(ValueError):
    """Budget or ballot rules changed after voting opened."""


class BudgetProcess(ProcessFraming, db.Model):
    __tablename__ = "budget_processes"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("min_projects >= 0", name="min_projects_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=16),
                                         default=Phase.DRAFT)
    budget: Mapped[int] = mapped_column(Integer)  # minor units (cents)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    vote_type: Mapped[str] = mapped_column(String(16), default="approval")
    min_projects: Mapped[int] = mapped_column(Integer, default=0)
    max_projects: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    voting_opened_at = mapped_column(UTCDateTime, nullable=True)
    closed_at = mapped_column(UTCDateTime, nullable=True)

    projects: Mapped[list[BudgetProject]] = relationship(
        back_populates="process", cascade="all, delete-orphan",
        order_by="BudgetProject.project_id")

    @property
    def rules_frozen(self) -> bool:
        return self.voting_opened_at is not None

    def set_rules(self, *, budget: int, vote_type: str, min_projects: int = 0,
                  max_projects: int | None = None) -> None:
        """Set budget and ballot rules; refused once voting has opened."""
        if self.rules_frozen:
            raise RulesFrozen("the budget and ballot rules are frozen since voting opened")
        if vote_type not in VOTE_TYPES:
            raise ValueError(f"vote_type must be one of {VOTE_TYPES}, got {vote_type!r}")
        if budget < 0 or min_projects < 0 or (max_projects is not None
                                              and max_projects < min_projects):
            raise ValueError("budget and project limits must be non-negative and ordered")
        self.budget, self.vote_type = budget, vote_type
        self.min_projects, self.max_projects = min_projects, max_projects

    def move_to(self, phase: Phase, *, now) -> None:
        """Change phase if the table allows it, stamping when it happened."""
        current = self.phase or Phase.DRAFT  # unset until the row is first flushed
        check_transition(ALLOWED_TRANSITIONS, current, phase)
        self.phase = phase
        if phase is Phase.VOTING:
            self.voting_opened_at = now
        elif phase is Phase.CLOSED:
            self.closed_at = now

    @property
    def total_cost(self) -> int:
        return sum(p.cost for p in self.projects)

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
    cost: Mapped[int] = mapped_column(Integer)  # minor units
    description: Mapped[str] = mapped_column(Text, default="")

    process: Mapped[BudgetProcess] = relationship(back_populates="projects")
