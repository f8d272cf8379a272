"""Polis-style conversations: statements, participants and their votes (persistence only).

Vote values in this table: +1 agree, -1 disagree, 0 pass (the human convention). Polis'
internal sign is the opposite (agree = -1, docs/polis-math.md); convert at the math boundary.
Statements and participants carry a per-conversation ``number``: Polis's ``comment-id`` and
``voter-id``, what the math, the exports and ``math.json`` call them.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from core.process import ProcessFraming
from deliberation.phases import ConversationPhase, Moderation

__all__ = ["Conversation", "ConversationPhase", "ConversationResult", "Moderation",
           "Participant", "Statement", "Vote"]


class Conversation(ProcessFraming, db.Model):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase: Mapped[ConversationPhase] = mapped_column(
        Enum(ConversationPhase, native_enum=False, length=16), default=ConversationPhase.DRAFT)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    opens_at = mapped_column(UTCDateTime, nullable=True)
    closes_at = mapped_column(UTCDateTime, nullable=True)
    # Strict: only accepted statements are shown; otherwise new ones are shown until screened.
    strict_moderation: Mapped[bool] = mapped_column(Boolean, default=False)
    participants_can_write: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymous_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    statement_max_length: Mapped[int] = mapped_column(Integer, default=140)
    petition_id: Mapped[int | None] = mapped_column(
        ForeignKey("petitions.id", ondelete="SET NULL"), nullable=True, index=True)
    budget_id: Mapped[int | None] = mapped_column(
        ForeignKey("budget_processes.id", ondelete="SET NULL"), nullable=True, index=True)
    # Bumped by every vote written: the worker recomputes when it is ahead of the results.
    vote_seq: Mapped[int] = mapped_column(Integer, default=0)

    statements: Mapped[list[Statement]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Statement.id")

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
    __table_args__ = (CheckConstraint("moderation IN (-1, 0, 1)", name="moderation_value"),
                      UniqueConstraint("conversation_id", "number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    author_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    moderation: Mapped[int] = mapped_column(SmallInteger, default=0)  # -1 out, 0 new, 1 in
    is_meta: Mapped[bool] = mapped_column(Boolean, default=False)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    conversation: Mapped[Conversation] = relationship(back_populates="statements")

    @property
    def state(self) -> Moderation:
        return self.state_of(self.moderation, self.is_meta)

    @staticmethod
    def state_of(moderation: int, is_meta: bool) -> Moderation:
        """The moderation state of a statement with these two columns."""
        if moderation < 0:
            return Moderation.REJECTED
        if is_meta:
            return Moderation.META
        return Moderation.ACCEPTED if moderation > 0 else Moderation.NEW

    @state.setter
    def state(self, value: Moderation) -> None:
        self.moderation = {Moderation.NEW: 0, Moderation.REJECTED: -1}.get(value, 1)
        self.is_meta = value is Moderation.META


class Participant(db.Model):
    """A pseudonymous participant of one conversation; survives account deletion.

    Either an account (``user_id``) or an anonymous browser (``anon_key``: the SHA-256 of
    the random token in its signed cookie), merged into the account on login. When the
    account is deleted, ``mailbox_key`` keeps a keyed hash of its mailbox
    (deliberation.privacy): the same person registering again takes this participant back
    instead of voting a second time."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),
                      UniqueConstraint("conversation_id", "anon_key"),
                      UniqueConstraint("conversation_id", "mailbox_key"),
                      UniqueConstraint("conversation_id", "number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    anon_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mailbox_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Vote(db.Model):
    """The current vote of a participant on a statement (one row, updated in place).

    The row keeps the id of the first vote on its cell, so ``ORDER BY id`` is the order in
    which participants arrived (docs/polis-math.md §5)."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("conversation_id", "participant_id", "statement_id"),
        CheckConstraint("value IN (-1, 0, 1)", name="vote_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Indexed alone so that "WHERE conversation_id = ? ORDER BY id" (results.vote_columns)
    # walks the index in row-id order, with no sort of millions of rows.
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    modified_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class ConversationResult(db.Model):
    """The last math run of a conversation, computed off the request path (worker/CLI).

    ``math`` is the math-pca2 JSON (warm start of the next run); ``priorities`` the §10
    comment priorities by statement number, small so the voting page can read only them."""

    __tablename__ = "conversation_results"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    vote_seq: Mapped[int] = mapped_column(Integer)
    n_votes: Mapped[int] = mapped_column(Integer)
    computed_at = mapped_column(UTCDateTime, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    priorities: Mapped[dict] = mapped_column(JSON, default=dict)
    math: Mapped[dict] = deferred(mapped_column(JSON, default=dict))
    points: Mapped[dict] = deferred(mapped_column(JSON, default=dict))
    umap: Mapped[dict | None] = deferred(mapped_column(JSON, nullable=True))


@event.listens_for(Session, "before_flush")
def _number_new_rows(session, _context, _instances) -> None:
    """Give new statements and participants the next free number of their conversation.

    Runs inside the flushing transaction, which on SQLite holds the write lock
    (write_transaction); the unique constraint catches any race on PostgreSQL."""
    following: dict[tuple, int] = {}
    for obj in session.new:
        if not isinstance(obj, Statement | Participant) or obj.number is not None:
            continue
        model = type(obj)
        parent = getattr(obj, "conversation", None)
        conversation_id = obj.conversation_id or getattr(parent, "id", None)
        key = (model, conversation_id or id(parent))
        if key not in following:
            highest = None
            if conversation_id is not None:
                with session.no_autoflush:
                    highest = session.scalar(select(func.max(model.number)).where(
                        model.conversation_id == conversation_id))
            following[key] = 0 if highest is None else highest + 1
        obj.number = following[key]
        following[key] += 1
