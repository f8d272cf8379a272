"""Polis-style conversations: statements, participants and their votes (persistence only).

Vote values in this table: +1 agree, -1 disagree, 0 pass (the human convention). Polis'
internal sign is the opposite (agree = -1, docs/polis-math.md); convert at the math boundary.
"""
from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from core.process import ProcessFraming
from core.states import check_transition


class ConversationPhase(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


PHASE_TRANSITIONS: dict[ConversationPhase, frozenset[ConversationPhase]] = {
    ConversationPhase.DRAFT: frozenset({ConversationPhase.OPEN}),
    ConversationPhase.OPEN: frozenset({ConversationPhase.CLOSED}),
    ConversationPhase.CLOSED: frozenset(),
}


class Conversation(ProcessFraming, db.Model):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase: Mapped[ConversationPhase] = mapped_column(
        Enum(ConversationPhase, native_enum=False, length=16), default=ConversationPhase.DRAFT)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    statements: Mapped[list[Statement]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Statement.id")

    @property
    def is_open(self) -> bool:
        """Open for statements and votes."""
        return self.phase == ConversationPhase.OPEN

    def move_to(self, phase: ConversationPhase) -> None:
        """Change phase if PHASE_TRANSITIONS allows it (core.states.InvalidTransition if not)."""
        check_transition(PHASE_TRANSITIONS, self.phase or ConversationPhase.DRAFT, phase)
        self.phase = phase

    @property
    def shown_statements(self) -> list[Statement]:
        """Statements not rejected by moderation, in the order they were written."""
        return [s for s in self.statements if s.moderation >= 0]

    @classmethod
    def listed(cls) -> list[Conversation]:
        query = (select(cls).where(cls.phase != ConversationPhase.DRAFT)
                 .order_by(cls.id.desc()))
        return list(db.session.scalars(query))


class Statement(db.Model):
    __tablename__ = "statements"
    __table_args__ = (CheckConstraint("moderation IN (-1, 0, 1)", name="moderation_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    moderation: Mapped[int] = mapped_column(SmallInteger, default=0)  # -1 out, 0 new, 1 in
    is_meta: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    conversation: Mapped[Conversation] = relationship(back_populates="statements")


class Participant(db.Model):
    """A pseudonymous participant of one conversation; survives account deletion."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Vote(db.Model):
    """The current vote of a participant on a statement (one row, updated in place)."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("conversation_id", "participant_id", "statement_id"),
        CheckConstraint("value IN (-1, 0, 1)", name="vote_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    modified_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
