"""Threshold crossings (docs/reliability.md §3b): guarded UPDATEs that stamp each threshold
the stored signature count reaches, or clear the stamps it no longer supports, exactly once
however many transactions race, and the emails a crossing sends."""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import insert, update

from accounts.service import find_user, recipients_with_role
from core import audit
from core.db import NO_SYNC, db
from core.mail import OutboxEmail, Render, queue_email_in, render_in
from core.roles import Role
from core.states import may_move_to
from petitions import lifecycle
from petitions.lifecycle import (
    DEBATE_TRANSITIONS,
    RESPONSE_TRANSITIONS,
    TRANSITIONS,
    DebateState,
    PetitionState,
    ResponseState,
)
from petitions.models import Petition
from petitions.snapshot import PetitionSnapshot


def guarded_update(petition_id: int, *conditions, **values) -> bool:
    """UPDATE the petition only where `conditions` still hold; True if this call changed it
    (of several racing transactions, exactly one wins)."""
    stmt = update(Petition).where(Petition.id == petition_id, *conditions).values(**values)
    return db.session.execute(stmt.returning(Petition.id),
                              execution_options=NO_SYNC).first() is not None


def _cannot_cross(petition: Petition | PetitionSnapshot, locked_count: int | None,
                  state: PetitionState, stamp, threshold: int | None) -> bool:
    """With the row locked and its count known, an UPDATE whose guard cannot hold is not
    sent: wrong state, already stamped, or the count below the threshold."""
    return locked_count is not None and (petition.state != state or stamp is not None
                                         or threshold is None or locked_count < threshold)


def cross_thresholds(petition: Petition | PetitionSnapshot, *, now: datetime,
                     locked_count: int | None = None) -> None:
    """Stamp each threshold the stored count has reached; each UPDATE wins at most once.

    `locked_count`: the count after the caller's change, given only by a caller holding the
    petition's row lock since it loaded `petition` (signing), so that the in-memory state,
    stamps and thresholds are the stored ones; the guards that cannot match are skipped."""
    pid, count = petition.id, Petition.signature_count
    # Enough sponsors: the creator's own signature plus `sponsor_count` others (EP: 5 + 1).
    if not _cannot_cross(petition, locked_count, PetitionState.SPONSORING, None,
                         petition.sponsor_count + 1) and guarded_update(
            pid, may_move_to(Petition.state, TRANSITIONS, PetitionState.AWAITING_MODERATION),
            count >= Petition.sponsor_count + 1,
            state=PetitionState.AWAITING_MODERATION, moderation_at=now):
        audit.record(None, "petition.sponsored", "petition", pid, now=now)
    if petition.response_threshold is None:  # not opened yet: no frozen thresholds
        return
    if not _cannot_cross(petition, locked_count, PetitionState.OPEN, petition.listed_at,
                         petition.visibility_threshold):
        guarded_update(pid, Petition.state == PetitionState.OPEN, Petition.listed_at.is_(None),
                       count >= Petition.visibility_threshold, listed_at=now)
    due = lifecycle.response_due_at(reached_at=now, due_days=petition.response_due_days)
    if not _cannot_cross(petition, locked_count, PetitionState.OPEN,
                         petition.response_threshold_reached_at,
                         petition.response_threshold) and guarded_update(
            pid, Petition.state == PetitionState.OPEN,
            Petition.response_threshold_reached_at.is_(None),
            may_move_to(Petition.response_state, RESPONSE_TRANSITIONS, ResponseState.AWAITING),
            count >= Petition.response_threshold,
            response_state=ResponseState.AWAITING, response_threshold_reached_at=now,
            response_due_at=due):
        audit.record(None, "petition.response_threshold_reached", "petition", pid, now=now)
        notify_creator(petition, lambda: (
            _("Your petition needs a response"),
            _("“%(title)s” reached the response threshold. An answer is due by %(due)s.",
              title=petition.title, due=format_date(due, "medium"))))
        notify_role(Role.OFFICIAL, lambda: (
            _("A petition needs your response"),
            _("“%(title)s” (petition %(id)s) reached the response threshold. "
              "Your answer is due by %(due)s.", title=petition.title, id=pid,
              due=format_date(due, "medium"))), now=now)
    if petition.debate_threshold is not None and not _cannot_cross(
            petition, locked_count, PetitionState.OPEN, petition.debate_threshold_reached_at,
            petition.debate_threshold) and guarded_update(
            pid, Petition.state == PetitionState.OPEN,
            Petition.debate_threshold_reached_at.is_(None),
            may_move_to(Petition.debate_state, DEBATE_TRANSITIONS, DebateState.AWAITING),
            count >= Petition.debate_threshold,
            debate_state=DebateState.AWAITING, debate_threshold_reached_at=now):
        audit.record(None, "petition.debate_threshold_reached", "petition", pid, now=now)


def uncross_thresholds(petition_id: int) -> None:
    """Clear threshold stamps the count no longer supports (EP `decrement_signature_count!`)."""
    count = Petition.signature_count
    guarded_update(petition_id, may_move_to(Petition.response_state, RESPONSE_TRANSITIONS,
                                            ResponseState.NOT_NEEDED),
                   count < Petition.response_threshold, response_state=ResponseState.NOT_NEEDED,
                   response_threshold_reached_at=None, response_due_at=None)
    guarded_update(petition_id, may_move_to(Petition.debate_state, DEBATE_TRANSITIONS,
                                            DebateState.NOT_NEEDED),
                   count < Petition.debate_threshold, debate_state=DebateState.NOT_NEEDED,
                   debate_threshold_reached_at=None)
    guarded_update(petition_id, Petition.listed_at.is_not(None),
                   count < Petition.visibility_threshold, listed_at=None)


def notify_creator(petition: Petition | PetitionSnapshot, render: Render) -> None:
    """Email the creator, in their own language; `render` gives (subject, body)."""
    creator = petition.creator_id and find_user(petition.creator_id)
    if creator and creator.email:
        queue_email_in(creator.language, creator.email, render)


def notify_role(role: Role, render: Render, *, now: datetime) -> int:
    """Queue one email to every active user holding `role`, in the caller's transaction,
    each in the recipient's language (`render` runs once per language)."""
    recipients = recipients_with_role(role)
    texts = {lang: render_in(lang, render) for lang in {lang for _to, lang in recipients}}
    if recipients:
        db.session.execute(insert(OutboxEmail), [
            {"to": to, "subject": texts[lang][0], "body": texts[lang][1], "created_at": now}
            for to, lang in recipients])
    return len(recipients)
