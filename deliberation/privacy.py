"""Forgetting participants (docs/reliability.md §2e): detach participants and statements
from accounts and browser cookies, for account deletion (registered with core.privacy in
create_app) and for `flask conversations anonymise` after a conversation closed.

A participant row keeps its number and its votes, so the vote matrix, the groups and every
count stay exactly the same; only ``user_id`` and ``anon_key`` (the hash of the browser's
cookie token) are cleared. NULLs never collide, so the UNIQUE constraints still hold.

On account deletion ``mailbox_key`` keeps an HMAC of the account's canonical email
(core.privacy.mailbox_key): when the same mailbox registers again, its participant is
taken back (or merged, latest vote wins) by service._ensure_participant, so one person
never counts twice. UNIQUE(conversation_id, mailbox_key) keeps one such row per mailbox.
"""
from __future__ import annotations

from datetime import datetime, timedelta

# The keyed hash needs the app's secret key, and only the app knows it (as petitions.privacy).
from flask import current_app  # noqa: TID251
from sqlalchemy import String, bindparam, cast, func, or_, select, update

from core import privacy as core_privacy
from core.audit import AuditEntry
from core.db import NO_SYNC, db, write_transaction
from deliberation.models import Conversation, Participant, Statement
from deliberation.phases import ConversationPhase


def mailbox_key(email: str | None) -> str | None:
    """What an erased account's participant keeps of its mailbox (64 hex characters)."""
    return core_privacy.mailbox_key(current_app.secret_key, "participant", email)


def forget_user(user) -> None:
    """Account deletion hook: the user's participants and statements keep their votes and
    text but no longer name the account; a participant keeps the mailbox key unless the
    conversation already holds one of that mailbox (then none: deletion changes no count).
    An unconfirmed account keeps no key: it never proved the mailbox, so its votes must not
    be merged into the mailbox's owner when they register and confirm (service._take_back).
    Runs in the caller's transaction."""
    key = mailbox_key(user.email) if user.is_confirmed else None
    rows = db.session.execute(select(Participant.id, Participant.conversation_id)
                              .where(Participant.user_id == user.id)).all()
    if not rows:
        pass
    elif key is None:
        db.session.execute(update(Participant).where(Participant.user_id == user.id)
                           .values(user_id=None, anon_key=None), execution_options=NO_SYNC)
    else:
        taken = set(db.session.scalars(select(Participant.conversation_id).where(
            Participant.mailbox_key == key,
            Participant.conversation_id.in_({c for _p, c in rows}))))
        table = Participant.__table__
        db.session.execute(
            update(table).where(table.c.id == bindparam("pid"))
            .values(user_id=None, anon_key=None, mailbox_key=bindparam("key")),
            [{"pid": pid, "key": None if cid in taken else key} for pid, cid in rows])
    db.session.execute(update(Statement).where(Statement.author_id == user.id)
                       .values(author_id=None), execution_options=NO_SYNC)


def _ended_before(cutoff: datetime) -> list[int]:
    """Conversations closed by `cutoff`: past their ``closes_at``, or closed by a
    facilitator (phase closed; the audit log says when) and not reopened since."""
    by_date = select(Conversation.id).where(Conversation.phase != ConversationPhase.DRAFT,
                                            Conversation.closes_at <= cutoff)
    last_closed = (select(func.max(AuditEntry.at)).where(
        AuditEntry.action == f"conversation.{ConversationPhase.CLOSED}",
        AuditEntry.target_type == "conversation",
        AuditEntry.target_id == cast(Conversation.id, String)).scalar_subquery())
    by_hand = select(Conversation.id).where(Conversation.phase == ConversationPhase.CLOSED,
                                            last_closed <= cutoff)
    return sorted(set(db.session.scalars(by_date)) | set(db.session.scalars(by_hand)))


def anonymise(*, now: datetime, after_days: int) -> list[int]:
    """`after_days` after a conversation closed, clear every participant's account and
    cookie link and every statement's author account. Idempotent; returns the
    conversations that had anything left to forget."""
    if after_days < 0:
        raise ValueError("after_days must be >= 0")
    cutoff = now - timedelta(days=after_days)
    ids = _ended_before(cutoff)
    db.session.rollback()
    done = []
    for cid in ids:
        with write_transaction():
            changed = db.session.execute(
                update(Participant).where(
                    Participant.conversation_id == cid,
                    or_(Participant.user_id.is_not(None), Participant.anon_key.is_not(None)))
                .values(user_id=None, anon_key=None), execution_options=NO_SYNC).rowcount
            changed += db.session.execute(
                update(Statement).where(Statement.conversation_id == cid,
                                        Statement.author_id.is_not(None))
                .values(author_id=None), execution_options=NO_SYNC).rowcount
        if changed:
            done.append(cid)
    return done
