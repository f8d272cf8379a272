"""Scheduled petition jobs (`flask petitions tick|reconcile|anonymise`): time-based
transitions, counter reconciliation and signer anonymisation. Each is idempotent and takes
`now` from the caller, so a missed or repeated run is harmless."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, func, select, update

from core import audit
from core.db import NO_SYNC, db, write_transaction
from core.mail import OutboxEmail
from core.states import may_move_to
from petitions import areas
from petitions.lifecycle import ENDED, TRANSITIONS, PetitionState
from petitions.models import Petition, Signature, SignatureState, TrendingAlert
from petitions.privacy import forget_signers
from petitions.thresholds import guarded_update, uncross_thresholds

log = logging.getLogger(__name__)


def tick(*, now: datetime) -> list[int]:
    """Time-based transitions: open petitions whose window has ended become closed."""
    with write_transaction():
        closable = may_move_to(Petition.state, TRANSITIONS, PetitionState.CLOSED)
        ids = db.session.scalars(select(Petition.id).where(
            closable, Petition.closes_at <= now)).all()
        for pid in ids:
            if guarded_update(pid, closable,
                              state=PetitionState.CLOSED, closed_at=Petition.closes_at):
                audit.record(None, "petition.closed", "petition", pid, now=now)
    return list(ids)


def reconcile(*, now: datetime) -> list[tuple[int, int, int]]:
    """Compare every counter with its validated rows; fix and report drift (EP PetitionCountJob).

    Returns (petition id, stored count, counted rows) for each petition that drifted.
    """
    with write_transaction():
        rows = db.session.execute(
            select(Petition.id, Petition.signature_count,
                   select(func.count(Signature.id))
                   .where(Signature.petition_id == Petition.id,
                          Signature.state == SignatureState.VALIDATED)
                   .correlate(Petition).scalar_subquery())).all()
        drift = [(pid, stored, real) for pid, stored, real in rows if stored != real]
        for pid, stored, real in drift:
            log.warning("petition %s signature count drift: stored %s, rows %s", pid, stored, real)
            db.session.execute(update(Petition).where(Petition.id == pid)
                               .values(signature_count=real), execution_options=NO_SYNC)
            audit.record(None, "petition.reconciled", "petition", pid, now=now,
                         stored=stored, counted=real)
            uncross_thresholds(pid)
        for pid, code, stored, real in areas.recount():
            log.warning("petition %s area %s count drift: stored %s, rows %s",
                        pid, code, stored, real)
            audit.record(None, "petition.area_reconciled", "petition", pid, now=now,
                         area=code, stored=stored, counted=real)
        db.session.execute(update(Petition).values(last_reconciled_at=now),
                           execution_options=NO_SYNC)
    return drift


def anonymise(*, now: datetime, after_days: int, batch_size: int = 500) -> list[int]:
    """Blank names, emails and IPs of signers `after_days` after a petition ended (§2e),
    and the copies elsewhere: outbox emails to those signers from before the cutoff, the
    petition's trending-IP alerts and the moderator emails that named those IPs.

    Works in batches, each its own transaction, so an interrupted run simply resumes.
    Counts and area codes survive. Returns the petitions finished in this run.
    """
    if after_days < 0:
        raise ValueError("after_days must be >= 0")
    cutoff = now - timedelta(days=after_days)
    ended = func.coalesce(Petition.closed_at, Petition.rejected_at)
    ids = db.session.scalars(select(Petition.id).where(
        Petition.anonymised_at.is_(None),
        Petition.state.in_(sorted(ENDED)),
        ended <= cutoff)).all()
    db.session.rollback()
    for pid in ids:
        while True:
            with write_transaction():
                batch = db.session.execute(select(Signature.id, Signature.email).where(
                    Signature.petition_id == pid, Signature.email != "")
                    .limit(batch_size)).all()
                if batch:
                    _forget_emails_to({email for _id, email in batch}, before=cutoff)
                    forget_signers(Signature.id.in_([sid for sid, _email in batch]))
                else:
                    _forget_trending_ips(pid, before=cutoff)
                    db.session.execute(update(Petition).where(Petition.id == pid)
                                       .values(anonymised_at=now), execution_options=NO_SYNC)
                    audit.record(None, "petition.anonymised", "petition", pid, now=now)
            if not batch:
                break
    return list(ids)


def _forget_emails_to(addresses: set[str], *, before: datetime) -> None:
    """Delete outbox emails to these addresses queued before `before`: long sent (or dead),
    they are the last copies of the signers' addresses and of their confirmation links."""
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.to.in_(addresses),
                                                 OutboxEmail.created_at <= before),
                       execution_options=NO_SYNC)


def _forget_trending_ips(petition_id: int, *, before: datetime) -> None:
    """Replace the petition's alerted IPs by "anon:<id>" (unique per alert, as the alert's
    UNIQUE constraint needs) and delete the moderator emails that named them: queued with
    the alert (same `now`), the IP in the body as a whole address (not 1.2.3.4 in 1.2.3.45,
    which another petition's alert of the same run may name)."""
    alerts = db.session.execute(select(TrendingAlert.value, TrendingAlert.created_at).where(
        TrendingAlert.petition_id == petition_id, TrendingAlert.kind == "ip",
        ~TrendingAlert.value.startswith("anon:"))).all()
    for ip, alerted_at in alerts:
        whole = re.compile(rf"(?<![\w:.]){re.escape(ip)}(?![\w:]|\.\w)")
        candidates = db.session.execute(select(OutboxEmail.id, OutboxEmail.body).where(
            OutboxEmail.created_at == alerted_at, OutboxEmail.created_at <= before,
            OutboxEmail.body.contains(ip, autoescape=True))).all()
        db.session.execute(delete(OutboxEmail).where(OutboxEmail.id.in_(
            [mail_id for mail_id, body in candidates if whole.search(body)])),
            execution_options=NO_SYNC)
    db.session.execute(
        update(TrendingAlert).where(TrendingAlert.petition_id == petition_id,
                                    TrendingAlert.kind == "ip")
        .values(value="anon:" + cast(TrendingAlert.id, String)), execution_options=NO_SYNC)
