"""What signing counts in the database before it accepts a signature (docs/reliability.md
§2d): recent signatures from one IP and one email domain on a petition (the fraud rules of
`petitions.identity.over_limit`), and confirmation emails sent to one address. Counted in
the signing transaction, so every worker agrees; `petitions.service.sign` holds the locks
that make count-then-insert safe."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from core.db import db
from petitions.identity import SigningLimits, over_limit
from petitions.models import Petition, Signature


def recent_from_ip(petition_id: int, ip: str, *, burst_since: datetime,
                    sustained_since: datetime) -> tuple[int, int]:
    """Signatures from `ip` on this petition since each moment, in one look-up (the
    sustained window is the longer one)."""
    burst, sustained = db.session.execute(
        select(func.count(case((Signature.created_at > burst_since, 1))), func.count())
        .where(Signature.petition_id == petition_id, Signature.ip == ip,
               Signature.created_at > min(burst_since, sustained_since))).one()
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
        per_domain = db.session.scalar(select(func.count(Signature.id)).where(
            Signature.petition_id == petition.id, Signature.email_domain == domain,
            Signature.created_at > now - timedelta(hours=1)))
    return over_limit(limits=limits, ip_recent_burst=burst, ip_recent_sustained=sustained,
                      domain_recent_hour=per_domain, domain=domain)


def may_send_confirmation(canonical: str, *, per_hour: int | None, now: datetime) -> bool:
    """Fewer than `per_hour` confirmation emails went to this address in the last hour,
    across all petitions (EP `email_count`). None means no cap."""
    if per_hour is None:
        return True
    sent = db.session.scalar(select(func.count(Signature.id)).where(
        Signature.canonical_email == canonical,
        Signature.confirmation_sent_at > now - timedelta(hours=1)))
    return sent < per_hour
