"""Read-only queries: the public list, one petition's public record, duplicates.

Public records never contain names, emails or IPs (docs/reliability.md §2e).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select

from core.db import db
from core.process import Audience
from core.roles import is_staff
from core.similarity import SimilarityIndex
from petitions import areas, labels, lifecycle
from petitions.lifecycle import PetitionState, ResponseState
from petitions.models import Petition, PetitionScheme, Signature
from petitions.snapshot import PetitionSnapshot

STATUSES = ("all", "open", "awaiting_response", "responded", "overdue", "closed", "rejected")
SORTS = ("signatures", "newest", "closing")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _open_now(now: datetime):
    """Open and still inside the signing window (the tick may not have closed it yet)."""
    return and_(Petition.state == PetitionState.OPEN, Petition.closes_at > now)


def listed(user=None):
    """Petitions in the public list as `user` sees it: published ones past their visibility
    threshold and rejected ones not hidden; staff-only schemes only for staff.

    The one definition of "listed" for the list, the exports and the duplicate suggestions.
    """
    shown = or_(and_(Petition.state.in_(lifecycle.PUBLISHED), Petition.listed_at.is_not(None)),
                and_(Petition.state == PetitionState.REJECTED, Petition.hidden.is_(False)))
    stmt = select(Petition).join(PetitionScheme).where(shown)
    if not is_staff(user):
        stmt = stmt.where(PetitionScheme.audience == Audience.PUBLIC)
    return stmt


def _sort_order(sort: str, now: datetime) -> tuple:
    """ORDER BY terms of a list sort. "closing": open petitions closing soonest first, then
    the ended ones, most recently ended first, and those that never opened last."""
    if sort == "signatures":
        return (Petition.signature_count.desc(),)
    if sort == "newest":
        return (Petition.opened_at.desc().nulls_last(),)
    open_now = _open_now(now)
    return (case((open_now, 0), else_=1),
            case((open_now, Petition.closes_at)).asc(),
            func.coalesce(Petition.closed_at, Petition.closes_at).desc().nulls_last())


def public_petitions(*, now: datetime, status: str = "all", q: str = "",
                     sort: str = "signatures", user=None, limit: int = 50,
                     offset: int = 0) -> tuple[list[Petition], int]:
    """Listed petitions matching a status filter and a search, with the total count."""
    if status not in STATUSES or sort not in SORTS:
        raise ValueError("unknown status or sort")
    filters = {
        "all": True,
        "open": _open_now(now),
        "awaiting_response": Petition.response_state == ResponseState.AWAITING,
        "responded": Petition.response_state == ResponseState.RESPONDED,
        "overdue": and_(Petition.response_state == ResponseState.AWAITING,
                        Petition.response_due_at < now),
        "closed": or_(Petition.state == PetitionState.CLOSED,
                      and_(Petition.state == PetitionState.OPEN, Petition.closes_at <= now)),
        "rejected": Petition.state == PetitionState.REJECTED,
    }
    stmt = listed(user).where(filters[status])
    if q.strip():
        pattern = f"%{_escape_like(q.strip())}%"
        stmt = stmt.where(or_(Petition.title.ilike(pattern, escape="\\"),
                              Petition.action.ilike(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(*_sort_order(sort, now), Petition.id.desc())
                              .limit(limit).offset(offset)).all()
    return list(rows), total


def all_listed(*, batch: int = 1000) -> Iterator[Petition]:
    """Every publicly listed petition by id, read `batch` rows at a time (keyset pages), so an
    export of any size neither stops at a cap nor holds every petition in memory."""
    after = 0
    while True:
        rows = db.session.scalars(listed().where(Petition.id > after)
                                  .order_by(Petition.id).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def can_view(petition: Petition | PetitionSnapshot, user) -> bool:
    """Published or rejected petitions are public (in a public scheme); the rest are not."""
    if is_staff(user):
        return True
    if user is not None and getattr(user, "is_authenticated", False) \
            and petition.creator_id == user.id:
        return True
    if not petition.scheme.visible_to(user):
        return False
    return petition.state in (*lifecycle.PUBLISHED, PetitionState.REJECTED)


@dataclass(frozen=True)
class PetitionView:
    """What a page shows of one petition at `now` to one reader: decided here, rendered by
    the templates. `days_left` is None unless signing is open; `sponsors` unless sponsoring."""

    state: PetitionState
    state_label: str
    response_label: str
    debate_label: str
    days_left: int | None
    days_overdue: int
    sponsors: int | None
    actions: frozenset[lifecycle.Action]


def petition_view(petition: Petition, *, now: datetime, user=None) -> PetitionView:
    """The shown state (lifecycle.effective_state), its labels and the actions on offer."""
    state = lifecycle.effective_state(state=petition.state, closes=petition.closes_at, now=now)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return PetitionView(
        state=state,
        state_label=labels.label(labels.PETITION_STATES, state),
        response_label=labels.response_label(petition.response_state, state),
        debate_label=labels.debate_label(petition.debate_state, state),
        days_left=(lifecycle.days_left(closes=petition.closes_at, now=now)
                   if state == PetitionState.OPEN else None),
        days_overdue=lifecycle.days_overdue(due=petition.response_due_at,
                                            responded_at=petition.responded_at, now=now),
        sponsors=(lifecycle.sponsors_signed(petition.signature_count)
                  if state == PetitionState.SPONSORING else None),
        actions=lifecycle.allowed_actions(
            state=state, debate_state=petition.debate_state,
            is_creator=bool(signed_in and petition.creator_id == user.id),
            roles=user.roles if signed_in else frozenset()))


def all_schemes() -> list[PetitionScheme]:
    """Every petition scheme, oldest first (the admins' list)."""
    return list(db.session.scalars(select(PetitionScheme).order_by(PetitionScheme.id)))


def schemes_visible_to(user) -> list[PetitionScheme]:
    """The schemes `user` may start a petition in (staff-only ones for staff only)."""
    return [scheme for scheme in all_schemes() if scheme.visible_to(user)]


def petition_to_confirm(token: str) -> Petition | None:
    """The petition a pending signature's confirmation token belongs to (None once used)."""
    return db.session.scalar(select(Petition).join(Signature, Signature.petition_id == Petition.id)
                             .where(Signature.token == token))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def public_record(petition: Petition, *, now: datetime, with_areas: bool = False) -> dict:
    """The open-data record of one petition: counts, thresholds, timestamps, response."""
    state = lifecycle.effective_state(state=petition.state, closes=petition.closes_at, now=now)
    hidden = petition.hidden
    record = {
        "id": petition.id,
        "title": None if hidden else petition.title,
        "action": None if hidden else petition.action,
        "background": None if hidden else petition.background,
        "scheme": petition.scheme.title,
        "authority": petition.scheme.authority,
        "commitment": str(petition.scheme.commitment),
        "state": str(state),
        "signature_count": petition.signature_count,
        "thresholds": {
            "sponsors": petition.sponsor_count,
            "visibility": petition.visibility_threshold,
            "response": petition.response_threshold,
            "debate": petition.debate_threshold,
            "window_days": petition.window_days,
            "response_due_days": petition.response_due_days,
        },
        "created_at": _iso(petition.created_at),
        "opened_at": _iso(petition.opened_at),
        "closes_at": _iso(petition.closes_at),
        "closed_at": _iso(petition.closed_at or (petition.closes_at
                                                 if state == PetitionState.CLOSED else None)),
        "rejected_at": _iso(petition.rejected_at),
        "rejection_code": petition.rejection_code,
        "response_threshold_reached_at": _iso(petition.response_threshold_reached_at),
        "debate_threshold_reached_at": _iso(petition.debate_threshold_reached_at),
        "response_state": str(petition.response_state),
        "debate_state": str(petition.debate_state),
        "response_due_at": _iso(petition.response_due_at),
        "days_overdue": lifecycle.days_overdue(due=petition.response_due_at,
                                               responded_at=petition.responded_at, now=now),
        "response": None if petition.responded_at is None else {
            "summary": petition.response_summary,
            "details": petition.response_details,
            "responded_at": _iso(petition.responded_at),
        },
        "debate": None if petition.debate_outcome_at is None else {
            "outcome": str(petition.debate_state),
            "date": _iso(petition.debated_on),
            "summary": petition.debate_summary,
            "transcript_url": petition.debate_transcript_url or None,
            "video_url": petition.debate_video_url or None,
        },
    }
    if with_areas:
        record["signatures_by_area"] = areas.counts(petition.id)
    return record


def duplicate_suggestions(text: str, *, user, cache: dict,
                          limit: int = 5) -> list[tuple[Petition, float]]:
    """Petitions `user` sees in the list (published, text not hidden) whose title and text
    resemble `text` (TF-IDF, similarity.py).

    `cache` keeps the fitted indexes between calls; the caller holds one per database (web.py:
    one per app).
    """
    candidates = listed(user).where(Petition.state.in_(lifecycle.PUBLISHED),
                                    Petition.hidden.is_(False))
    index = _similarity_index(candidates, cache=cache, view="staff" if is_staff(user) else
                              "public")
    return [(db.session.get(Petition, pid), score)
            for pid, score in index.similar(text, limit=limit)]


def _similarity_index(candidates, *, cache: dict, view: str) -> SimilarityIndex:
    """The fitted index of `candidates`, refitted only when their ids change.

    Petition texts never change once published, so the candidate ids identify the index;
    `cache` holds one per view (staff also see staff-only schemes).
    """
    ids = tuple(db.session.scalars(candidates.with_only_columns(Petition.id)
                                   .order_by(Petition.id)))
    index = cache.get(view)
    if index is None or index.ids != ids:
        rows = db.session.execute(candidates.with_only_columns(
            Petition.id, Petition.title, Petition.action).order_by(Petition.id)).all()
        index = cache[view] = SimilarityIndex(
            [(pid, f"{title} {action}") for pid, title, action in rows])
    return index
