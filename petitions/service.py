"""Petition use cases: create, sponsor, sign, confirm, and the counters they move.

Each function that writes runs in one `write_transaction()` (docs/reliability.md §3a): the
signature insert is `INSERT … ON CONFLICT DO NOTHING` on UNIQUE(petition_id, canonical_email),
the counter moves in the same transaction only when a row was inserted or confirmed, and
every threshold crossing is a guarded UPDATE (petitions/thresholds.py), so it happens exactly
once (§3b).

Signing again while a signature is still pending re-sends its confirmation (UK site), so a
lost, capped or expired email never locks a signer out; only a validated (or, silently, a
fraudulent or invalidated) signature answers "already signed".
"""
from __future__ import annotations

import enum
import functools
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update

from core.db import NO_SYNC, db, execute_core, upsert, write_transaction
from core.identity import canonical_email, email_domain
from core.mail import queue_email
from core.states import may_move_to
from petitions import areas, lifecycle, signing_limits
from petitions.identity import SigningLimits, area_code
from petitions.lifecycle import SIGNATURE_TRANSITIONS, PetitionState
from petitions.models import Petition, PetitionScheme, Signature, SignatureState
from petitions.snapshot import PetitionSnapshot, locked_petition
from petitions.thresholds import cross_thresholds

log = logging.getLogger(__name__)
CONFIRMATION_VALID_DAYS = 7
# docs/reliability.md §2d: at most this many confirmation emails per address per hour.
CONFIRMATIONS_PER_HOUR = 3
# Each signature's own link is re-sent at most once per this period. Its confirmation_sent_at
# then holds its only email in the cap's window, so re-sends cannot slip past the cap.
RESEND_AFTER = timedelta(hours=1)
# Sponsors who signed in time still count when they confirm after enough others did (the
# petition is then awaiting moderation), as on the UK site.
CONFIRMABLE = lifecycle.SIGNABLE | {PetitionState.AWAITING_MODERATION}


class SignOutcome(enum.StrEnum):
    CONFIRMATION_SENT = "confirmation_sent"
    COUNTED = "counted"
    ALREADY_SIGNED = "already_signed"


class SigningClosed(ValueError):
    """The petition does not take signatures now (not open, past its window, wrong link)."""


class InvalidSignature(ValueError):
    """Bad signer input; `field` names the form field to show the message on."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class NotFound(LookupError):
    """No such petition, token or scheme."""


def get_petition(petition_id: int) -> Petition:
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise NotFound(petition_id)
    return petition


def create_petition(*, scheme_id: int, creator, title: str, action: str, background: str,
                    now: datetime) -> Petition:
    """A draft petition owned by `creator` (a logged-in user)."""
    with write_transaction():
        scheme = db.session.get(PetitionScheme, scheme_id)
        if scheme is None:
            raise NotFound(scheme_id)
        petition = Petition(scheme_id=scheme.id, creator_id=creator.id, title=title.strip(),
                            action=action.strip(), background=background.strip(),
                            state=PetitionState.DRAFT, sponsor_count=scheme.sponsor_count,
                            sponsor_token=secrets.token_urlsafe(24), created_at=now)
        db.session.add(petition)
    return petition


def start_sponsoring(petition_id: int, *, creator, now: datetime) -> Petition:
    """Draft → sponsoring: needs a confirmed creator; their own signature is the first."""
    with write_transaction():
        petition = get_petition(petition_id)
        if petition.creator_id != creator.id:
            raise PermissionError("only the creator can submit a petition")
        if not creator.is_confirmed:
            raise SigningClosed(_("Confirm your email address before collecting sponsors."))
        lifecycle.check_transition(petition.state, PetitionState.SPONSORING)
        petition.state = PetitionState.SPONSORING
        petition.sponsoring_at = now
        petition.sponsor_count = petition.scheme.sponsor_count  # frozen for this petition
        db.session.flush()
        _insert_signature(petition, name=creator.display_name, email=creator.email,
                          area=None, ip=None, user_id=creator.id, notify=True,
                          state=SignatureState.VALIDATED, now=now)
        _count_one(petition, area=None, now=now)
    return petition


def _page_language() -> str | None:
    """The locale of the page being answered (the default one outside a request)."""
    locale = get_locale()
    return str(locale) if locale is not None else None


def _insert_signature(petition: Petition | PetitionSnapshot, *, name: str, email: str,
                      area: str | None, ip: str | None, user_id: int | None, notify: bool,
                      state: SignatureState, now: datetime,
                      confirmation_sent_at: datetime | None = None,
                      ) -> tuple[int | None, str | None]:
    """INSERT … ON CONFLICT DO NOTHING; returns (id, token) or (None, None) if already signed."""
    try:
        canonical = canonical_email(email)
    except ValueError as exc:
        raise InvalidSignature(_("Enter a valid email address."), "email") from exc
    districts = petition.scheme.districts
    if area and petition.scheme.area_kind == "district" and districts \
            and area.strip() not in districts:
        raise InvalidSignature(_("Choose a district from the list."), "area")
    token = None if state == SignatureState.VALIDATED else secrets.token_urlsafe(32)
    new_id = execute_core(_insert_statement(db.session.get_bind().dialect.name), dict(
        petition_id=petition.id, user_id=user_id, name=name.strip(), email=email.strip(),
        canonical_email=canonical, email_domain=email_domain(canonical),
        area=(area or "").strip() or None,
        area_code=area_code(area, kind=petition.scheme.area_kind), ip=ip, state=state,
        notify_by_email=notify, language=_page_language(), token=token, created_at=now,
        confirmation_sent_at=confirmation_sent_at,
        validated_at=now if state == SignatureState.VALIDATED else None,
    )).scalar_one_or_none()
    return (new_id, token) if new_id is not None else (None, None)


_SIGNATURE_COLUMNS = ("petition_id", "user_id", "name", "email", "canonical_email",
                      "email_domain", "area", "area_code", "ip", "state", "notify_by_email",
                      "language", "token", "created_at", "confirmation_sent_at", "validated_at")


@functools.cache
def _insert_statement(dialect: str):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id with a parameter per column, built once
    per dialect on the table (run by `execute_core`): building it per signature, and the
    ORM's execution layer, cost more CPU than running it (issue 13)."""
    table = Signature.__table__
    return upsert(table, dialect).values({name: bindparam(name) for name in _SIGNATURE_COLUMNS}
                                         ).on_conflict_do_nothing(
        index_elements=["petition_id", "canonical_email"]).returning(table.c.id)


def _lock_petition(petition_id: int) -> PetitionSnapshot:
    """The petition and its scheme as one read-only row (petitions.snapshot), the petition's
    row locked until the transaction ends: SELECT … FOR UPDATE on PostgreSQL; on SQLite the
    write transaction's BEGIN IMMEDIATE already holds the lock."""
    petition = locked_petition(db.session.connection(), petition_id)
    if petition is None:
        raise NotFound(petition_id)
    return petition


def _lock_address(canonical: str) -> None:
    """On PostgreSQL, a transaction-long advisory lock per signer address, so that the
    per-address confirmation-email cap counts one signing at a time across petitions."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(
            func.hashtext("petitions.signer:" + canonical))))


def _check_signable(petition: Petition | PetitionSnapshot, *, sponsor_token: str | None,
                    now: datetime) -> None:
    state = lifecycle.effective_state(state=petition.state, closes=petition.closes_at, now=now)
    if state == PetitionState.OPEN:  # unlisted open petitions can be signed by their URL
        return
    if state == PetitionState.SPONSORING and sponsor_token and \
            secrets.compare_digest(sponsor_token, petition.sponsor_token):
        return
    raise SigningClosed(_("This petition is not collecting signatures."))


def sign(petition_id: int, *, name: str, email: str, area: str | None, ip: str | None,
         notify: bool, now: datetime, confirm_link: Callable[[str], str],
         user=None, sponsor_token: str | None = None,
         limits: SigningLimits | None = None,
         confirmations_per_hour: int | None = CONFIRMATIONS_PER_HOUR,
         may_view: Callable[[PetitionSnapshot], bool] | None = None) -> SignOutcome:
    """Add one signature (docs/reliability.md §3a/§3b).

    A confirmed user signing with their own account email is validated at once; anyone else
    gets a confirmation link by email and counts only after clicking it. Over a rate limit
    the row is stored as fraudulent and the caller sees the same outcome as usual. Past
    `confirmations_per_hour` emails to one address the signature is still stored as pending,
    but no email is queued (logged, and again no signal to the caller). A second attempt on
    a pending signature goes to `_sign_again`.

    `may_view`: the signer's visibility check, run on the petition as read under the lock
    (a `PetitionSnapshot`; NotFound when it fails), so the web page need not load the
    petition once before; the answer page shows the petition it was given.
    """
    with write_transaction():
        # The limits below count rows, then insert: lock first, so that parallel signers
        # of this petition (and of any petition, for one address) count one after another.
        petition = _lock_petition(petition_id)
        if may_view is not None and not may_view(petition):
            raise NotFound(petition_id)
        _check_signable(petition, sponsor_token=sponsor_token, now=now)
        try:
            canonical = canonical_email(email)
        except ValueError as exc:
            raise InvalidSignature(_("Enter a valid email address."), "email") from exc
        _lock_address(canonical)
        one_click = bool(user is not None and getattr(user, "is_authenticated", False)
                         and user.is_confirmed and canonical_email(user.email) == canonical)
        history = signing_limits.signer_history(
            petition.id, canonical, ip=ip, limits=limits, now=now,
            confirmations_per_hour=None if one_click else confirmations_per_hour)
        if history.forgotten:  # this mailbox signed, then was forgotten
            return SignOutcome.ALREADY_SIGNED
        if signing_limits.looks_fraudulent(history, domain=email_domain(canonical),
                                           limits=limits):
            state = SignatureState.FRAUDULENT
        else:
            state = SignatureState.VALIDATED if one_click else SignatureState.PENDING
        may_email = not one_click and signing_limits.under_confirmation_cap(
            history.confirmations_hour, confirmations_per_hour)
        new_id, token = _insert_signature(
            petition, name=name, email=email, area=area, ip=ip,
            user_id=user.id if one_click else None, notify=notify, state=state, now=now,
            confirmation_sent_at=now if may_email else None)
        if new_id is None:
            return _sign_again(petition, canonical, user=user if one_click else None,
                               now=now, confirm_link=confirm_link,
                               confirmations_per_hour=confirmations_per_hour)
        if one_click:
            if state == SignatureState.VALIDATED:
                _count_one(petition, area=area_code(area, kind=petition.scheme.area_kind),
                           now=now, locked=True)
            return SignOutcome.COUNTED
        if may_email:
            _queue_confirmation(petition, email.strip(), token, confirm_link)
        else:
            _log_unsent(new_id, petition.id, confirmations_per_hour)
        return SignOutcome.CONFIRMATION_SENT


def _sign_again(petition: Petition | PetitionSnapshot, canonical: str, *, user, now: datetime,
                confirm_link: Callable[[str], str],
                confirmations_per_hour: int | None) -> SignOutcome:
    """The signer's row exists (the INSERT hit the unique constraint).

    Pending: a confirmed user signing in one click (`user`) proves the address, so the row is
    validated, as its link would (it passed the rate limits when stored); anyone else gets a
    fresh link. Validated, fraudulent or invalidated: "already signed", so fraud flags stay
    invisible.
    """
    signature = db.session.scalar(select(Signature).where(
        Signature.petition_id == petition.id, Signature.canonical_email == canonical))
    if signature.state != SignatureState.PENDING:
        return SignOutcome.ALREADY_SIGNED
    if user is not None:
        _validate_pending(signature, petition, now=now, user_id=user.id)
        return SignOutcome.COUNTED
    if not _resend_confirmation(petition, signature, now=now, confirm_link=confirm_link,
                                confirmations_per_hour=confirmations_per_hour):
        _log_unsent(signature.id, petition.id, confirmations_per_hour)
    return SignOutcome.CONFIRMATION_SENT


def _resend_confirmation(petition: Petition | PetitionSnapshot, signature: Signature, *,
                         now: datetime, confirm_link: Callable[[str], str],
                         confirmations_per_hour: int | None) -> bool:
    """A new token, valid CONFIRMATION_VALID_DAYS from now, emailed to the signer; False
    (row unchanged, old link still valid) within RESEND_AFTER of its last email or over the
    per-address cap. The guarded UPDATE lets one of several simultaneous attempts win."""
    if not signing_limits.may_send_confirmation(
            signature.canonical_email, per_hour=confirmations_per_hour, now=now):
        return False
    not_recent = (Signature.confirmation_sent_at.is_(None)
                  | (Signature.confirmation_sent_at <= now - RESEND_AFTER))
    token = secrets.token_urlsafe(32)
    resent = db.session.execute(
        update(Signature).where(Signature.id == signature.id,
                                Signature.state == SignatureState.PENDING, not_recent)
        .values(token=token, created_at=now, confirmation_sent_at=now),
        execution_options=NO_SYNC).rowcount == 1
    if resent:
        _queue_confirmation(petition, signature.email, token, confirm_link)
    return resent


def _queue_confirmation(petition: Petition | PetitionSnapshot, to: str, token: str,
                        confirm_link: Callable[[str], str]) -> None:
    """The confirmation link. A petition no moderator has approved yet (a sponsor signing
    through the creator's link) is not named: anyone holding that link could otherwise send
    its unchecked title from our address to any inbox. The page behind the link names it."""
    if petition.opened_at is None:
        body = _("Someone (maybe you) used this address to support a new petition that is "
                 "gathering sponsors. To confirm your support, open this link; if it was "
                 "not you, ignore this email: %(link)s", link=confirm_link(token))
    else:
        body = _("Click this link to confirm your signature on “%(title)s”: %(link)s",
                 title=petition.title, link=confirm_link(token))
    queue_email(to, _("Confirm your signature"), body)


def _log_unsent(signature_id: int, petition_id: int, per_hour: int | None) -> None:
    # The address itself stays out of the log (personal data); the row id finds it.
    log.warning("confirmation email not sent for signature %s on petition %s: "
                "over %s per address per hour or sent in the last %s", signature_id,
                petition_id, per_hour, RESEND_AFTER)


def confirm_signature(token: str, *, now: datetime) -> Petition:
    """Pending → validated, counted once however often the link is used (R11).

    Also while the petition awaits moderation (CONFIRMABLE): a sponsor who signed in time
    counts even if enough others confirmed first.
    """
    with write_transaction():
        # FOR UPDATE: a parallel click waits for this one, then finds the token spent
        # (PostgreSQL re-checks the WHERE on the updated row), so only one is "confirmed".
        signature = db.session.scalar(select(Signature).where(Signature.token == token)
                                      .with_for_update())
        if signature is None:
            raise NotFound("token")
        petition = get_petition(signature.petition_id)
        if now - signature.created_at > timedelta(days=CONFIRMATION_VALID_DAYS):
            raise SigningClosed(_("This confirmation link has expired. Sign the petition "
                                  "again and we will email you a new one."))
        state = lifecycle.effective_state(state=petition.state, closes=petition.closes_at,
                                          now=now)
        if state not in CONFIRMABLE:
            raise SigningClosed(_("This petition is not collecting signatures."))
        if not _validate_pending(signature, petition, now=now):
            # fraudulent rows stay uncounted; the token is spent either way
            db.session.execute(update(Signature).where(Signature.id == signature.id)
                               .values(token=None), execution_options=NO_SYNC)
    return petition


def _validate_pending(signature: Signature, petition: Petition | PetitionSnapshot, *, now: datetime,
                      user_id: int | None = None) -> bool:
    """Pending → validated and counted; False if the row was not pending (a guarded UPDATE,
    so a signature counts once however many requests race)."""
    values = {"state": SignatureState.VALIDATED, "validated_at": now, "token": None}
    if user_id is not None:
        values["user_id"] = user_id
    changed = db.session.execute(
        update(Signature).where(Signature.id == signature.id,
                                may_move_to(Signature.state, SIGNATURE_TRANSITIONS,
                                            SignatureState.VALIDATED))
        .values(**values), execution_options=NO_SYNC).rowcount
    if changed == 1:
        _count_one(petition, area=signature.area_code, now=now)
    return changed == 1


# +1 on a petition's counter (`_count_one`), on the table: the petition given keeps the
# count it was read with (a PetitionSnapshot, or an ORM petition as with NO_SYNC).
_COUNT_ONE = update(Petition.__table__).where(
    Petition.__table__.c.id == bindparam("petition_id")).values(
    signature_count=Petition.__table__.c.signature_count + 1)


def _count_one(petition: Petition | PetitionSnapshot, *, area: str | None, now: datetime,
               locked: bool = False) -> None:
    """+1 (and +1 for the signer's area) in the caller's transaction, then the exactly-once
    threshold guards. `locked`: the caller loaded `petition` under its row lock in this
    transaction (`_lock_petition`), so the new count is known and hopeless guards skipped."""
    execute_core(_COUNT_ONE, {"petition_id": petition.id})
    areas.add(petition.id, {area: 1})
    cross_thresholds(petition, now=now,
                     locked_count=petition.signature_count + 1 if locked else None)
