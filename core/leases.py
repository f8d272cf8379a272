"""Job leases: several worker processes (on one machine or many, sharing one database)
split background work without computing the same thing twice at once.

A lease is a row per job name. :func:`claim` is one guarded upsert,
``INSERT … ON CONFLICT (name) DO UPDATE … WHERE expires_at <= now``, which SQLite and
PostgreSQL both run atomically: of fifty workers claiming one name, exactly one gets it.
A worker that dies keeps its lease only until it expires, then another takes over.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, upsert, write_transaction


class JobLease(db.Model):
    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at = mapped_column(UTCDateTime, nullable=False)


def worker_name() -> str:
    """A name no other worker has: host, process id and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(name: str, *, holder: str, now: datetime, seconds: float) -> bool:
    """Take the lease `name` for `seconds` if nobody holds it (or theirs expired, or it is
    already `holder`'s); True when `holder` now holds it. Commits at once."""
    table = JobLease.__table__
    expires_at = now + timedelta(seconds=seconds)
    statement = upsert(JobLease).values(name=name, holder=holder, expires_at=expires_at)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"holder": holder, "expires_at": expires_at},
        where=(table.c.expires_at <= now) | (table.c.holder == holder),
    ).returning(table.c.holder)
    with write_transaction():
        won = db.session.execute(statement).scalar_one_or_none()
    return won == holder


def release(name: str, *, holder: str) -> None:
    """Give the lease back (only if `holder` still holds it)."""
    table = JobLease.__table__
    with write_transaction():
        db.session.execute(delete(table).where(table.c.name == name,
                                               table.c.holder == holder))
