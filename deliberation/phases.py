"""Conversation phases and statement moderation as transition tables (pure, core.states).

The phase table is the single source of truth for what a facilitator may do next; the dates
(``opens_at``/``closes_at``) only narrow an open conversation to "upcoming" or "closed" for
readers (docs/civic-platforms.md: a process has one lifecycle, shown with its dates).
Also the Polis statement lottery (docs/polis-math.md §10), seeded so a page is reproducible.
"""
from __future__ import annotations

import enum
import random
from datetime import datetime

from core.states import InvalidTransition, check_transition, sources  # noqa: F401


class ConversationPhase(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


PHASES: dict[ConversationPhase, frozenset[ConversationPhase]] = {
    ConversationPhase.DRAFT: frozenset({ConversationPhase.OPEN, ConversationPhase.CLOSED}),
    ConversationPhase.OPEN: frozenset({ConversationPhase.CLOSED}),
    ConversationPhase.CLOSED: frozenset({ConversationPhase.OPEN}),
}


class Status(enum.StrEnum):
    """What a reader sees: the phase narrowed by the dates."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def status(phase: ConversationPhase, *, opens_at: datetime | None, closes_at: datetime | None,
           now: datetime) -> Status:
    """Draft stays draft, closed stays closed; an open phase is upcoming before ``opens_at``
    and closed from ``closes_at`` on."""
    if phase is ConversationPhase.DRAFT:
        return Status.DRAFT
    if phase is ConversationPhase.CLOSED:
        return Status.CLOSED
    if opens_at is not None and now < opens_at:
        return Status.UPCOMING
    if closes_at is not None and now >= closes_at:
        return Status.CLOSED
    return Status.OPEN


class Moderation(enum.StrEnum):
    """A statement's moderation state (docs/polis-math.md §11): rejected statements leave
    voting but are kept; meta statements are about the conversation (never clustered)."""

    NEW = "new"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    META = "meta"


MODERATION: dict[Moderation, frozenset[Moderation]] = {
    Moderation.NEW: frozenset({Moderation.ACCEPTED, Moderation.REJECTED, Moderation.META}),
    Moderation.ACCEPTED: frozenset({Moderation.REJECTED, Moderation.META}),
    Moderation.REJECTED: frozenset({Moderation.ACCEPTED, Moderation.META}),
    Moderation.META: frozenset({Moderation.ACCEPTED, Moderation.REJECTED}),
}


def votable(state: Moderation, *, strict: bool) -> bool:
    """Shown for voting: accepted and meta always, new only without strict moderation."""
    if state in (Moderation.ACCEPTED, Moderation.META):
        return True
    return state is Moderation.NEW and not strict


def pick_statement(candidates: list[int], priorities: dict[int, float], *,
                   seed: int) -> int | None:
    """One statement id by the Polis lottery (§10): weight = priority, 1 without one.

    >>> pick_statement([3, 5], {3: 0.0, 5: 2.0}, seed=1)
    5
    >>> pick_statement([], {}, seed=1) is None
    True
    """
    if not candidates:
        return None
    weights = [max(float(priorities.get(c, 1.0)), 0.0) for c in candidates]
    if not any(weights):
        weights = [1.0] * len(candidates)
    return random.Random(seed).choices(candidates, weights=weights, k=1)[0]
