"""Read-only views of conversations for the pages (no writes, no math)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from core import similarity
from core.db import db
from deliberation import phases
from deliberation.models import Conversation, ConversationResult, Statement, Vote
from deliberation.phases import Status

SIMILAR_LIMIT = 3


def index_sections(user, *, now: datetime) -> dict[Status, list[Conversation]]:
    """Open, upcoming and closed conversations this user may see, newest first."""
    from deliberation.service import can_facilitate

    sections = {Status.OPEN: [], Status.UPCOMING: [], Status.CLOSED: []}
    drafts = []
    for conversation in db.session.scalars(select(Conversation).order_by(Conversation.id.desc())):
        if not conversation.visible_to(user):
            continue
        status = phases.status(conversation.phase, opens_at=conversation.opens_at,
                               closes_at=conversation.closes_at, now=now)
        if status is Status.DRAFT:
            if can_facilitate(user, conversation):
                drafts.append(conversation)
            continue
        sections[status].append(conversation)
    if drafts:
        sections[Status.DRAFT] = drafts
    return sections


def your_votes(votes: dict[int, int]) -> list[tuple[Statement, int]]:
    """(statement, your vote) for the statements you voted on, in the order written."""
    if not votes:
        return []
    statements = db.session.scalars(select(Statement).where(Statement.id.in_(list(votes)))
                                    .order_by(Statement.id))
    return [(s, votes[s.id]) for s in statements if s.moderation >= 0]


def result_age(conversation_id: int, *, now: datetime) -> dict | None:
    """When the stored results were computed and from how many votes (None: never)."""
    row = db.session.execute(select(ConversationResult.computed_at, ConversationResult.n_votes)
                             .where(ConversationResult.conversation_id == conversation_id)
                             ).first()
    if row is None:
        return None
    return {"seconds": max(int((now - row.computed_at).total_seconds()), 0),
            "n_votes": row.n_votes}


def similar_statements(conversation: Conversation, text: str) -> list[Statement]:
    """The closest existing statements (petitions' TF-IDF similarity), best first."""
    candidates = [(s.id, s.text) for s in conversation.statements if s.moderation >= 0]
    index = similarity.cached_index(("conversation", conversation.id), candidates)
    by_id = {s.id: s for s in conversation.statements}
    return [by_id[sid] for sid, _score in index.similar(text, limit=SIMILAR_LIMIT)]


def tallies(conversation_id: int) -> dict[int, dict[int, int]]:
    """statement id → {vote value: count}."""
    out: dict[int, dict[int, int]] = {}
    for statement_id, value, count in db.session.execute(
            select(Vote.statement_id, Vote.value, func.count())
            .where(Vote.conversation_id == conversation_id)
            .group_by(Vote.statement_id, Vote.value)):
        out.setdefault(statement_id, {})[value] = count
    return out
