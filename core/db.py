"""Database handle and transaction helpers.

SQLite recipe from docs/reliability.md §3a: WAL, busy_timeout, foreign keys, and SQLAlchemy
(not pysqlite) emitting BEGIN so that write transactions can start with BEGIN IMMEDIATE and
queue on the busy handler instead of failing on a read→write lock upgrade.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations work on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """The current time, timezone-aware UTC. Pure code takes `now` as an argument instead."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_conn, _record):
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_on_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


SYNCHRONOUS_MODES = ("NORMAL", "FULL", "EXTRA")


def set_sqlite_synchronous(engine: Engine, mode: str) -> None:
    """``PRAGMA synchronous`` on every new SQLite connection of ``engine`` (the app's
    ``SQLITE_SYNCHRONOUS``). In WAL mode NORMAL keeps every committed transaction across a
    crash or kill -9 of the server (tests/core/test_crash.py); only a power loss or OS crash
    may roll back the last few. FULL also survives those, at one fsync per commit, taken
    while the write lock is held: ~3 ms on our test machine, which caps SQLite at ~300
    writes/s (README, reliability)."""
    if mode not in SYNCHRONOUS_MODES:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {SYNCHRONOUS_MODES}, not {mode!r}")
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _synchronous(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA synchronous={mode}")


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")


# For bulk UPDATE/DELETE statements: the session's objects are not synchronised (the guarded
# updates re-read what they need).
NO_SYNC = {"synchronize_session": False}


def upsert(model):
    """``INSERT`` for the session's database with its ``ON CONFLICT`` clauses
    (``on_conflict_do_nothing`` / ``on_conflict_do_update``): PostgreSQL's or SQLite's."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


@contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[None]:
    """Run a use case in one write transaction that commits on success, rolls back on error.

    On SQLite the transaction starts with BEGIN IMMEDIATE (takes the write lock first, so
    concurrent writers queue instead of failing). Any read transaction the request had open
    is ended first, because the write lock must be taken at BEGIN.

    `keep_loaded`: the commit does not expire the objects loaded so far, so the page shown
    next does not load them again; they keep what was read under the lock, but not what the
    use case changed with bulk UPDATE statements (counters): for use cases whose page shows
    none of those.
    """
    session = db.session()  # the request's Session behind the scoped_session proxy
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    expire = session.expire_on_commit
    try:
        yield
        session.expire_on_commit = expire and not keep_loaded
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = expire
