"""What signing counts in the database before it accepts a signature (docs/reliability.md
§2d): recent signatures from one IP and one email domain on a petition (the fraud rules of
`petitions.identity.over_limit`), and confirmation emails sent to one address. Counted in
the signing transaction, so every worker agrees; `petitions.service.sign` holds the locks
that make count-then-insert safe."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, select

from core.db import execute_core
from petitions.identity import SigningLimits, over_limit
from petitions.models import Petition, Signature

_SIGNATURES = Signature.__table__.c
# Built once on the table and run by `execute_core` (issue 13: the ORM layer and building
# each statement cost more CPU than the look-ups).
_FROM_IP = select(func.count(case((_SIGNATURES.created_at > bindparam("burst_since"), 1))),
                  func.count()).where(
    _SIGNATURES.petition_id == bindparam("petition_id"), _SIGNATURES.ip == bindparam("ip"),
    _SIGNATURES.created_at > bindparam("since"))
_FROM_DOMAIN = select(func.count(_SIGNATURES.id)).where(
    _SIGNATURES.petition_id == bindparam("petition_id"),
    _SIGNATURES.email_domain == bindparam("domain"),
    _SIGNATURES.created_at > bindparam("since"))
_CONFIRMATIONS_TO = select(func.count(_SIGNATURES.id)).where(
    _SIGNATURES.canonical_email == bindparam("canonical"),
    _SIGNATURES.confirmation_sent_at > bindparam("since"))


def recent_from_ip(petition_id: int, ip: str, *, burst_since: datetime,
                    sustained_since: datetime) -> tuple[int, int]:
    """Signatures from `ip` on this petition since each moment, in one look-up (the
    sustained window is the longer one)."""
    burst, sustained = execute_core(_FROM_IP, {
        "petition_id": petition_id, "ip": ip, "burst_since": burst_since,
        "since": min(burst_since, sustained_since)}).one()
    return burst, sustained


def looks_fraudulent(petition: Petition, *, ip: str | None, domain: str,
                      limits: SigningLimits | None, now: datetime) -> bool:
    """docs/reliability.md §2d: counts of recent rows in the DB, so every worker agrees.
    An exempt domain's count is not looked up (the limit ignores it)."""
    if limits is None:
        return False
    burst = sustained = per_domain = 0
    if ip:
        burst, sustained = recent_from_ip(
            petition.id, ip, burst_since=now - timedelta(seconds=limits.ip_burst_seconds),
            sustained_since=now - timedelta(seconds=limits.ip_sustained_seconds))
    if domain not in limits.exempt_domains:
        per_domain = execute_core(_FROM_DOMAIN, {
            "petition_id": petition.id, "domain": domain,
            "since": now - timedelta(hours=1)}).scalar_one()
    return over_limit(limits=limits, ip_recent_burst=burst, ip_recent_sustained=sustained,
                      domain_recent_hour=per_domain, domain=domain)


def may_send_confirmation(canonical: str, *, per_hour: int | None, now: datetime) -> bool:
    """Fewer than `per_hour` confirmation emails went to this address in the last hour,
    across all petitions (EP `email_count`). None means no cap."""
    if per_hour is None:
        return True
    sent = execute_core(_CONFIRMATIONS_TO, {
        "canonical": canonical, "since": now - timedelta(hours=1)}).scalar_one()
    return sent < per_hour
