"""Facilitator use cases: create and edit a conversation, move it between phases, open one
from a petition that crossed its response threshold. One transaction each, audited."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core import audit
from core.db import db, write_transaction
from core.process import Audience, Commitment
from core.roles import Role
from deliberation import phases
from deliberation.models import Conversation, ConversationPhase, Moderation, Statement
from deliberation.service import NotAllowed, NotFound, can_facilitate

SETTINGS = ("title", "description", "strict_moderation", "participants_can_write",
            "anonymous_allowed", "statement_max_length", "commitment", "audience",
            "opens_at", "closes_at")


def _apply(conversation: Conversation, settings: dict) -> None:
    for name in SETTINGS:
        if name in settings:
            setattr(conversation, name, settings[name])
    conversation.commitment = Commitment(conversation.commitment)
    conversation.audience = Audience(conversation.audience)


def _seed(conversation: Conversation, seeds: list[str], *, actor, now: datetime) -> None:
    """Seed statements, accepted at once; a line already in the conversation is skipped."""
    existing = {s.text for s in conversation.statements}
    for text in seeds:
        if text in existing:
            continue
        if len(text) > conversation.statement_max_length:
            raise NotAllowed(f"seed statement longer than {conversation.statement_max_length} "
                             f"characters: {text[:40]}…")
        existing.add(text)
        conversation.statements.append(Statement(
            text=text, author_id=actor.id, moderation=1, created_at=now, moderated_at=now))


def create_conversation(*, actor, settings: dict, seeds: list[str], now: datetime,
                        petition_id: int | None = None,
                        budget_id: int | None = None) -> Conversation:
    """A draft conversation owned by the facilitator who creates it (or, from a petition or
    a budget, by the official)."""
    joined = petition_id is not None or budget_id is not None
    official = joined and actor.has_role(Role.OFFICIAL)
    if not (can_facilitate(actor) or official):
        raise PermissionError("only facilitators create conversations")
    with write_transaction():
        conversation = Conversation(phase=ConversationPhase.DRAFT, owner_id=actor.id,
                                    created_at=now, petition_id=petition_id,
                                    budget_id=budget_id)
        _apply(conversation, settings)
        db.session.add(conversation)
        _seed(conversation, seeds, actor=actor, now=now)
        db.session.flush()
        audit.record(actor, "conversation.create", "conversation", conversation.id, now=now,
                     petition=petition_id, budget=budget_id)
    return conversation


def update_conversation(conversation_id: int, *, actor, settings: dict, seeds: list[str],
                        now: datetime) -> Conversation:
    with write_transaction():
        # Locked: seed statements take the next numbers (see service._lock_numbers).
        conversation = db.session.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None:
            raise NotFound(conversation_id)
        if not can_facilitate(actor, conversation):
            raise PermissionError("not a facilitator of this conversation")
        _apply(conversation, settings)
        _seed(conversation, seeds, actor=actor, now=now)
        audit.record(actor, "conversation.edit", "conversation", conversation.id, now=now)
    return conversation


def change_phase(conversation_id: int, target: ConversationPhase, *, actor,
                 now: datetime) -> Conversation:
    """Open, close or reopen, as the phase table allows (core.states)."""
    with write_transaction():
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFound(conversation_id)
        if not can_facilitate(actor, conversation):
            raise PermissionError("not a facilitator of this conversation")
        phases.check_transition(phases.PHASES, conversation.phase, target)
        before = conversation.phase
        conversation.phase = target
        audit.record(actor, f"conversation.{target}", "conversation", conversation.id,
                     now=now, before=str(before))
    return conversation


class AlreadyLinked(NotAllowed):
    """The petition or budget already has its conversation (``.conversation``)."""

    def __init__(self, conversation: Conversation):
        super().__init__(f"conversation {conversation.id} was already opened from it")
        self.conversation = conversation


def open_from_petition(petition_id: int, *, actor, now: datetime) -> Conversation:
    """A draft conversation about a petition that crossed its response threshold, seeded
    with the petition's requested action; the petition page links to it. One per petition:
    a second raises :class:`AlreadyLinked` and creates nothing."""
    from petitions.public import petition_brief

    existing = _linked(Conversation.petition_id, petition_id)
    if existing is not None:
        raise AlreadyLinked(existing)
    petition = petition_brief(petition_id)
    if petition is None:
        raise NotFound(petition_id)
    if petition.response_threshold_reached_at is None:
        raise NotAllowed("the petition has not crossed its response threshold")
    settings = {"title": petition.title, "audience": Audience.PUBLIC,
                "commitment": Commitment.ADVISORY,
                "description": f"{petition.action}\n\n{petition.background}".strip()}
    return create_conversation(actor=actor, settings=settings, seeds=[], now=now,
                               petition_id=petition.id)


def open_from_budget(process_id: int, *, actor, now: datetime) -> Conversation:
    """A draft conversation about a budget in its proposal phase (what should the money go
    to?), with the budget's audience; the budget page links to it. One per budget: a
    second raises :class:`AlreadyLinked` and creates nothing."""
    from pb.public import budget_brief

    existing = _linked(Conversation.budget_id, process_id)
    if existing is not None:
        raise AlreadyLinked(existing)
    budget = budget_brief(process_id)
    if budget is None:
        raise NotFound(process_id)
    if not budget.taking_proposals:
        raise NotAllowed("the budget is not in its proposal phase")
    settings = {"title": budget.title, "audience": budget.audience,
                "commitment": Commitment.ADVISORY, "description": budget.description}
    return create_conversation(actor=actor, settings=settings, seeds=[], now=now,
                               budget_id=budget.id)


def _linked(column, item_id: int, *, published: bool = False) -> Conversation | None:
    """The first conversation opened from the petition or budget `item_id` (`column` is
    Conversation.petition_id or .budget_id); with `published`, drafts do not count."""
    query = select(Conversation).where(column == item_id)
    if published:
        query = query.where(Conversation.phase != ConversationPhase.DRAFT)
    return db.session.scalar(query.order_by(Conversation.id))


def conversation_for_budget(process_id: int, *, published: bool = True
                            ) -> Conversation | None:
    """The conversation opened from this budget, if any (shown on the budget page; with
    ``published=False`` a draft too, for its facilitators)."""
    return _linked(Conversation.budget_id, process_id, published=published)


def conversation_for_petition(petition_id: int, *, published: bool = True
                              ) -> Conversation | None:
    """The conversation opened from this petition, if any (shown on the petition page; with
    ``published=False`` a draft too, for its facilitators)."""
    return _linked(Conversation.petition_id, petition_id, published=published)


__all__ = ["AlreadyLinked", "Moderation", "change_phase", "conversation_for_budget",
           "conversation_for_petition", "create_conversation", "open_from_budget",
           "open_from_petition", "update_conversation"]
