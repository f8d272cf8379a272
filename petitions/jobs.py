"""Scheduled petition jobs (`flask petitions tick|reconcile|anonymise`): time-based
transitions, counter reconciliation and signer anonymisation. Each is idempotent and takes
`now` from the caller, so a missed or repeated run is harmless."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, select, update

from core import audit
from core.db import db, write_transaction
from petitions import areas
from petitions.lifecycle import PetitionState
from petitions.models import Petition, Signature, SignatureState
from petitions.service import NO_SYNC, guarded_update, uncross_thresholds

log = logging.getLogger(__name__)


def tick(*, now: datetime) -> list[int]:
    """Time-based transitions: open petitions whose window has ended become closed."""
    with write_transaction():
        ids = db.session.scalars(select(Petition.id).where(
            Petition.state == PetitionState.OPEN, Petition.closes_at <= now)).all()
        for pid in ids:
            if guarded_update(pid, Petition.state == PetitionState.OPEN,
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
    """Blank names, emails and IPs of signers `after_days` after a petition ended (§2e).

    Works in batches, each its own transaction, so an interrupted run simply resumes.
    Counts and area codes survive. Returns the petitions finished in this run.
    """
    if after_days < 0:
        raise ValueError("after_days must be >= 0")
    cutoff = now - timedelta(days=after_days)
    ended = func.coalesce(Petition.closed_at, Petition.rejected_at)
    ids = db.session.scalars(select(Petition.id).where(
        Petition.anonymised_at.is_(None),
        Petition.state.in_([PetitionState.CLOSED, PetitionState.REJECTED]),
        ended <= cutoff)).all()
    db.session.rollback()
    for pid in ids:
        while True:
            with write_transaction():
                batch = db.session.scalars(select(Signature.id).where(
                    Signature.petition_id == pid, Signature.email != "")
                    .limit(batch_size)).all()
                if batch:
                    db.session.execute(
                        update(Signature).where(Signature.id.in_(batch)).values(
                            name="", email="", ip=None, area=None, token=None, user_id=None,
                            canonical_email="anon:" + cast(Signature.id, String)),
                        execution_options=NO_SYNC)
                else:
                    db.session.execute(update(Petition).where(Petition.id == pid)
                                       .values(anonymised_at=now), execution_options=NO_SYNC)
                    audit.record(None, "petition.anonymised", "petition", pid, now=now)
            if not batch:
                break
    return list(ids)
