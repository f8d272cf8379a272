"""What signing counts in the database before it accepts a signature (docs/reliability.md
§2d): whether this mailbox signed the petition and was forgotten since, recent signatures
from one IP and one email domain on a petition (the fraud rules of
`petitions.identity.over_limit`), and confirmation emails sent to one address. Counted in
the signing transaction, so every worker agrees; `petitions.service.sign` holds the locks
that make count-then-insert safe."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, func, select

from core.db import execute_core
from core.identity import email_domain
from petitions.identity import SigningLimits, over_limit
from petitions.models import Signature
from petitions.privacy import anonymous_key

_SIGNATURES = Signature.__table__.c


def _count(*where):
    return select(func.count(_SIGNATURES.id)).where(*where).scalar_subquery()


def _on_petition(*where):
    return _count(_SIGNATURES.petition_id == bindparam("petition_id"), *where)


# Confirmation emails to one address since a moment, across petitions.
_CONFIRMATIONS = _count(_SIGNATURES.canonical_email == bindparam("canonical"),
                        _SIGNATURES.confirmation_sent_at > bindparam("confirmations_since"))
# Everything signing counts, in one statement built once on the table and run by
# `execute_core` (issue 13: inside the signing lock, each statement cost more CPU through
# SQLAlchemy than SQLite spent on it). A look-up that does not apply is given NULL (counts 0).
_HISTORY = select(
    exists().where(_SIGNATURES.petition_id == bindparam("petition_id"),
                   _SIGNATURES.canonical_email == bindparam("forgotten_key")),
    _on_petition(_SIGNATURES.ip == bindparam("ip"),
                 _SIGNATURES.created_at > bindparam("burst_since")),
    _on_petition(_SIGNATURES.ip == bindparam("ip"),
                 _SIGNATURES.created_at > bindparam("sustained_since")),
    _on_petition(_SIGNATURES.email_domain == bindparam("domain"),
                 _SIGNATURES.created_at > bindparam("domain_since")),
    _CONFIRMATIONS)
_CONFIRMATIONS_TO = select(_CONFIRMATIONS)


@dataclass(frozen=True, slots=True)
class SignerHistory:
    """What the database holds that decides how a new signature is stored."""

    forgotten: bool  # this mailbox signed the petition and was forgotten since
    from_ip_burst: int  # this IP's signatures on the petition in each window
    from_ip_sustained: int
    from_domain_hour: int  # the email domain's signatures on the petition in the last hour
    confirmations_hour: int  # confirmation emails to this address in the last hour


def signer_history(petition_id: int, canonical: str, *, ip: str | None,
                   limits: SigningLimits | None, confirmations_per_hour: int | None,
                   now: datetime) -> SignerHistory:
    """The counts `looks_fraudulent` and `under_confirmation_cap` decide on, in one look-up;
    the IP (a known one) and domain are counted only under `limits`, an exempt domain not
    at all (the limit ignores it), the address's emails only under a cap. The sustained
    window is the longer of the two, as `over_limit` reads it."""
    domain = email_domain(canonical)
    burst_since = now - timedelta(seconds=limits.ip_burst_seconds if limits else 0)
    sustained_since = now - timedelta(seconds=limits.ip_sustained_seconds if limits else 0)
    row = execute_core(_HISTORY, {
        "petition_id": petition_id, "forgotten_key": anonymous_key(canonical),
        "ip": (ip or None) if limits is not None else None,
        "burst_since": burst_since, "sustained_since": min(burst_since, sustained_since),
        "domain": domain if limits is not None and domain not in limits.exempt_domains else None,
        "domain_since": now - timedelta(hours=1),
        "canonical": canonical if confirmations_per_hour is not None else None,
        "confirmations_since": now - timedelta(hours=1)}).one()
    return SignerHistory(bool(row[0]), *row[1:])


def looks_fraudulent(history: SignerHistory, *, domain: str,
                     limits: SigningLimits | None) -> bool:
    """docs/reliability.md §2d: counts of recent rows in the DB, so every worker agrees."""
    return limits is not None and over_limit(
        limits=limits, ip_recent_burst=history.from_ip_burst,
        ip_recent_sustained=history.from_ip_sustained,
        domain_recent_hour=history.from_domain_hour, domain=domain)


def under_confirmation_cap(sent: int, per_hour: int | None) -> bool:
    """Fewer than `per_hour` confirmation emails went to the address in the last hour,
    across all petitions (EP `email_count`). None means no cap."""
    return per_hour is None or sent < per_hour


def may_send_confirmation(canonical: str, *, per_hour: int | None, now: datetime) -> bool:
    """`under_confirmation_cap`, counted now (a re-sent link)."""
    if per_hour is None:
        return True
    sent = execute_core(_CONFIRMATIONS_TO, {
        "canonical": canonical, "confirmations_since": now - timedelta(hours=1)}).scalar_one()
    return under_confirmation_cap(sent, per_hour)
