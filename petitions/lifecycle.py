"""Petition lifecycle: a pure state machine (no Flask, no SQLAlchemy).

States follow UK e-petitions (docs/civic-platforms.md §1 "Petition / initiative lifecycle
states"): the main `PetitionState`, plus a separate `ResponseState` and `DebateState`, and
each signature's `SignatureState`. Every move is in a transition table; the guarded SQL updates
build their `WHERE state IN (...)` from it (`core.states.may_move_to`).
Thresholds, window and response due days are frozen on a petition when it opens
(docs/civic-platforms.md §4 "Petition model"). Every function takes `now`; none reads a clock.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from core.roles import Role
from core.states import InvalidTransition  # noqa: F401  (re-exported for callers)
from core.states import check_transition as _check


class PetitionState(enum.StrEnum):
    DRAFT = "draft"
    SPONSORING = "sponsoring"
    AWAITING_MODERATION = "awaiting_moderation"
    OPEN = "open"
    CLOSED = "closed"
    REJECTED = "rejected"


class ResponseState(enum.StrEnum):
    NOT_NEEDED = "not_needed"
    AWAITING = "awaiting"
    RESPONDED = "responded"


class SignatureState(enum.StrEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    FRAUDULENT = "fraudulent"
    INVALIDATED = "invalidated"


class DebateState(enum.StrEnum):
    NOT_NEEDED = "not_needed"
    AWAITING = "awaiting"
    DEBATED = "debated"
    NOT_DEBATED = "not_debated"


TRANSITIONS: dict[PetitionState, frozenset[PetitionState]] = {
    PetitionState.DRAFT: frozenset({PetitionState.SPONSORING}),
    PetitionState.SPONSORING: frozenset({PetitionState.AWAITING_MODERATION}),
    PetitionState.AWAITING_MODERATION: frozenset({PetitionState.OPEN, PetitionState.REJECTED}),
    PetitionState.OPEN: frozenset({PetitionState.CLOSED}),
    PetitionState.CLOSED: frozenset(),
    PetitionState.REJECTED: frozenset(),
}

RESPONSE_TRANSITIONS: dict[ResponseState, frozenset[ResponseState]] = {
    ResponseState.NOT_NEEDED: frozenset({ResponseState.AWAITING}),
    # AWAITING → NOT_NEEDED happens only when invalidation drops the count below the line.
    ResponseState.AWAITING: frozenset({ResponseState.RESPONDED, ResponseState.NOT_NEEDED}),
    ResponseState.RESPONDED: frozenset(),
}

DEBATE_TRANSITIONS: dict[DebateState, frozenset[DebateState]] = {
    DebateState.NOT_NEEDED: frozenset({DebateState.AWAITING}),
    # AWAITING → NOT_NEEDED happens only when invalidation drops the count below the line;
    # DEBATED / NOT_DEBATED are recorded by a moderator (EP `debate_outcome.rb`) and final.
    DebateState.AWAITING: frozenset({DebateState.DEBATED, DebateState.NOT_DEBATED,
                                     DebateState.NOT_NEEDED}),
    DebateState.DEBATED: frozenset(),
    DebateState.NOT_DEBATED: frozenset(),
}
DEBATE_OUTCOMES = frozenset({DebateState.DEBATED, DebateState.NOT_DEBATED})

SIGNATURE_TRANSITIONS: dict[SignatureState, frozenset[SignatureState]] = {
    # Confirmed by its email link (or a one-click signature of the same confirmed user), or
    # invalidated by a moderator before that.
    SignatureState.PENDING: frozenset({SignatureState.VALIDATED, SignatureState.INVALIDATED}),
    SignatureState.VALIDATED: frozenset({SignatureState.INVALIDATED}),
    # Over a rate limit when stored: never counted, and only a moderator's invalidation ends it.
    SignatureState.FRAUDULENT: frozenset({SignatureState.INVALIDATED}),
    SignatureState.INVALIDATED: frozenset(),
}

# Named groups, as in EP's petition.rb.
SIGNABLE = frozenset({PetitionState.SPONSORING, PetitionState.OPEN})
PUBLISHED = frozenset({PetitionState.OPEN, PetitionState.CLOSED})
ENDED = frozenset({PetitionState.CLOSED, PetitionState.REJECTED})


class RejectionReason(enum.StrEnum):
    """Coded rejection reasons (EP `rejection_reasons`); HIDDEN ones hide the petition text."""

    DUPLICATE = "duplicate"
    IRRELEVANT = "irrelevant"
    NO_ACTION = "no-action"
    ALREADY_HAPPENING = "already-happening"
    PERSONAL = "personal"
    FAKE_NAME = "fake-name"
    LIBELLOUS = "libellous"
    OFFENSIVE = "offensive"
    ADVERT = "advert"


HIDDEN_REASONS = frozenset({RejectionReason.LIBELLOUS, RejectionReason.OFFENSIVE,
                            RejectionReason.ADVERT})


def check_transition(current: PetitionState, target: PetitionState) -> None:
    """Raise InvalidTransition unless `current → target` is in TRANSITIONS."""
    _check(TRANSITIONS, PetitionState(current), target)


def check_response_transition(current: ResponseState, target: ResponseState) -> None:
    """Raise InvalidTransition unless `current → target` is in RESPONSE_TRANSITIONS."""
    _check(RESPONSE_TRANSITIONS, ResponseState(current), target)


def check_debate_transition(current: DebateState, target: DebateState) -> None:
    """Raise InvalidTransition unless `current → target` is in DEBATE_TRANSITIONS."""
    _check(DEBATE_TRANSITIONS, DebateState(current), target)


def sponsors_signed(signature_count: int) -> int:
    """Sponsors so far: every signature but the creator's own (EP: 5 sponsors + 1 creator)."""
    return max(signature_count - 1, 0)


# Who may act on petitions beyond signing them (the staff pages' role checks use these too).
MODERATORS = frozenset({Role.MODERATOR, Role.ADMIN})
OFFICIALS = frozenset({Role.OFFICIAL, Role.ADMIN})


class Action(enum.StrEnum):
    """What a petition's page may offer its reader."""

    SIGN = "sign"
    SUBMIT = "submit"  # the creator: draft → sponsoring
    SHARE_SPONSOR_LINK = "share_sponsor_link"  # the creator, while sponsors are gathered
    RECORD_DEBATE = "record_debate"  # moderators, once a debate is awaited


def allowed_actions(*, state: PetitionState, debate_state: DebateState, is_creator: bool,
                    roles: frozenset = frozenset()) -> frozenset[Action]:
    """The actions a page offers for a petition in (shown) `state` to a reader holding
    `roles`; the services check each again when it is taken."""
    actions = set()
    if state == PetitionState.OPEN:
        actions.add(Action.SIGN)
    if is_creator and state == PetitionState.DRAFT:
        actions.add(Action.SUBMIT)
    if is_creator and state == PetitionState.SPONSORING:
        actions.add(Action.SHARE_SPONSOR_LINK)
    if debate_state == DebateState.AWAITING and roles & MODERATORS:
        actions.add(Action.RECORD_DEBATE)
    return frozenset(actions)


def never_owed(stage_state: ResponseState | DebateState, shown: PetitionState) -> bool:
    """A response or debate that was not needed and never will be: the petition ended
    (closed or rejected) below its threshold."""
    return stage_state in (ResponseState.NOT_NEEDED, DebateState.NOT_NEEDED) and shown in ENDED


DEBATE_SUMMARY_MAX = 500
URL_MAX = 500


def is_web_url(value: str) -> bool:
    """True for an absolute http:// or https:// URL with a host (never javascript:, data:…)."""
    if not isinstance(value, str) or len(value) > URL_MAX or any(
            ch.isspace() or ord(ch) < 0x20 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class DebateOutcome:
    """What a moderator records once a debate was held or declined (EP `debate_outcome.rb`).

    `outcome` is DEBATED or NOT_DEBATED; `on` is the debate (or decision) date; URLs are
    optional and must be http(s); `summary` is short (at most DEBATE_SUMMARY_MAX characters).
    """

    outcome: DebateState
    on: date
    summary: str
    transcript_url: str = ""
    video_url: str = ""

    def __post_init__(self):
        if DebateState(self.outcome) not in DEBATE_OUTCOMES:
            raise ValueError(f"outcome must be debated or not_debated, got {self.outcome!r}")
        if not isinstance(self.on, date) or isinstance(self.on, datetime):
            raise ValueError("on must be a date")
        if not self.summary.strip() or len(self.summary) > DEBATE_SUMMARY_MAX:
            raise ValueError(f"summary must be 1-{DEBATE_SUMMARY_MAX} characters")
        for name in ("transcript_url", "video_url"):
            value = getattr(self, name)
            if value and not is_web_url(value):
                raise ValueError(f"{name} must be an http or https URL")


MAX_DAYS = 3660  # ten years


@dataclass(frozen=True)
class FrozenRules:
    """The numbers a petition keeps for its whole life once it opens.

    `visibility_threshold` 0 means listed at once (We the People lists at 150);
    `debate_threshold` None means no debate stage (UK: 100,000). Windows and answer times are
    at most :data:`MAX_DAYS` (the longest real ones are months; a typo of 10**8 days would
    otherwise overflow the date arithmetic when a petition opens).
    """

    sponsor_count: int
    visibility_threshold: int
    response_threshold: int
    window_days: int
    response_due_days: int
    debate_threshold: int | None = None

    def __post_init__(self):
        for name in ("sponsor_count", "visibility_threshold", "response_threshold",
                     "window_days", "response_due_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.response_threshold < 1 or self.window_days < 1:
            raise ValueError("response_threshold and window_days must be at least 1")
        if self.window_days > MAX_DAYS or self.response_due_days > MAX_DAYS:
            raise ValueError(f"window_days and response_due_days must be at most {MAX_DAYS}")
        if self.debate_threshold is not None and self.debate_threshold <= self.response_threshold:
            raise ValueError("debate_threshold must exceed response_threshold")


def closes_at(*, opened_at: datetime, window_days: int) -> datetime:
    """When signing ends: `window_days` after opening (EP uses end of day; we keep the instant)."""
    return opened_at + timedelta(days=window_days)


def response_due_at(*, reached_at: datetime, due_days: int) -> datetime:
    """The official's answer is due `due_days` after the response threshold was reached."""
    return reached_at + timedelta(days=due_days)


def effective_state(*, state: PetitionState, closes: datetime | None,
                    now: datetime) -> PetitionState:
    """The state to show between scheduler ticks: an open petition past its window is closed."""
    state = PetitionState(state)
    if state == PetitionState.OPEN and closes is not None and now >= closes:
        return PetitionState.CLOSED
    return state


def days_overdue(*, due: datetime | None, responded_at: datetime | None,
                 now: datetime) -> int:
    """Whole days past the due date without a response (0 if not overdue or answered)."""
    if due is None or responded_at is not None or now <= due:
        return 0
    return max(1, (now - due).days)


def days_left(*, closes: datetime | None, now: datetime) -> int | None:
    """Whole days of signing left (rounded up), None when there is no window."""
    if closes is None:
        return None
    seconds = (closes - now).total_seconds()
    return max(0, -int(-seconds // 86400))


def moderation_sla_status(*, waiting_since: datetime, sla_days: int, now: datetime) -> str:
    """'overdue' past the SLA, 'nearly' in its last fifth (EP: 11 of 14 days), else 'ok'."""
    waited = now - waiting_since
    if waited > timedelta(days=sla_days):
        return "overdue"
    if waited > timedelta(days=sla_days * 0.8):
        return "nearly"
    return "ok"
