"""Database handle and transaction helpers.

SQLite recipe from docs/reliability.md §3a: WAL, busy_timeout, foreign keys, and SQLAlchemy
(not pysqlite) emitting BEGIN so that write transactions can start with BEGIN IMMEDIATE
instead of failing on a read→write lock upgrade. Writers queue on a file lock (woken at once,
not polled by the busy handler) and fsync the WAL after releasing it (group commit).
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
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

# SQLite engines whose write transactions commit by group commit (see set_sqlite_synchronous):
# the engine → its database file.
_group_commit: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _database_file(engine: Engine) -> str | None:
    """The SQLite database file of `engine`; None for other databases and in-memory ones."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def set_sqlite_synchronous(engine: Engine, mode: str) -> None:
    """``PRAGMA synchronous`` on every new SQLite connection of ``engine`` (the app's
    ``SQLITE_SYNCHRONOUS``). In WAL mode NORMAL keeps every committed transaction across a
    crash or kill -9 of the server (tests/core/test_crash.py); only a power loss or OS crash
    may roll back the last few. FULL also survives those: no commit is acknowledged before
    the WAL holding it is on disk.

    FULL is kept by group commit in `write_transaction`: its COMMIT runs at NORMAL (frames
    written, no fsync) and, once the write lock is released, `fdatasync` of the WAL makes it
    durable before the use case returns, so the fsync (2–3 ms here) no longer holds the lock
    and one fsync covers every commit written before it. Any other transaction commits at
    FULL as configured. A crash between COMMIT and the fsync loses only a transaction that
    was never acknowledged; SQLite's recovery stops at the last intact commit of the WAL."""
    if mode not in SYNCHRONOUS_MODES:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {SYNCHRONOUS_MODES}, not {mode!r}")
    if engine.dialect.name != "sqlite":
        return
    if mode == "FULL" and _database_file(engine):
        _group_commit[engine] = _database_file(engine)

    @event.listens_for(engine, "connect")
    def _synchronous(dbapi_conn, record):
        dbapi_conn.execute(f"PRAGMA synchronous={mode}")
        record.info["synchronous"] = mode


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get("sqlite_begin", "DEFERRED") == "IMMEDIATE"
    info = conn.connection.info
    if conn.engine in _group_commit and info.get("synchronous") in ("NORMAL", "FULL"):
        # write_transaction fsyncs the WAL itself after its COMMIT; everything else: FULL.
        wanted = "NORMAL" if immediate else "FULL"
        if info["synchronous"] != wanted:
            conn.connection.dbapi_connection.execute(f"PRAGMA synchronous={wanted}")
            info["synchronous"] = wanted
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if immediate else 'DEFERRED'}")


def _fsync_deferred(connection) -> bool:
    """This write transaction commits without an fsync, which `_flush_wal` makes up for."""
    return connection.engine in _group_commit \
        and connection.connection.info.get("synchronous") == "NORMAL"


def _flush_wal(engine: Engine) -> None:
    """Group commit's fsync: what this process committed in the WAL reaches the disk (with
    whatever other writers committed before it) before the caller acknowledges anything."""
    try:
        fd = os.open(f"{_group_commit[engine]}-wal", os.O_RDONLY)
    except FileNotFoundError:  # the last connection closed: checkpointed and synced
        return
    try:
        os.fdatasync(fd)
    finally:
        os.close(fd)


_writer = threading.local()  # this thread's depth inside writer_lock (re-entry takes no lock)


@contextmanager
def writer_lock(engine: Engine) -> Iterator[None]:
    """Queue SQLite writers on an exclusive ``flock`` of a file beside the database, so the
    next writer starts the moment the last one ends.

    Without it, writers waiting for BEGIN IMMEDIATE sit in SQLite's busy handler, which sleeps
    1, 2, 5, 10 … 100 ms between tries, so the write lock stays idle while they sleep. The
    kernel wakes a ``flock`` waiter as soon as the holder unlocks or dies (kill -9 releases
    it); busy_timeout stays the backstop against writers that do not take this lock (CLI,
    migrations). Other databases, and SQLite in memory, take no lock."""
    path = _database_file(engine)
    if path is None or getattr(_writer, "depth", 0):
        _writer.depth = getattr(_writer, "depth", 0) + 1
        try:
            yield
        finally:
            _writer.depth -= 1
        return
    fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _writer.depth = 1
        try:
            yield
        finally:
            _writer.depth = 0
    finally:
        os.close(fd)  # closing the file releases the lock


# For bulk UPDATE/DELETE statements: the session's objects are not synchronised (the guarded
# updates re-read what they need).
NO_SYNC = {"synchronize_session": False}


def execute_core(statement, params: dict | None = None):
    """Run a Core statement (built on tables, not ORM entities) on the session's connection,
    in its transaction, without the ORM's execution layer: for the hot write paths, where
    `db.session.execute` cost more CPU than the statement itself (issue 13: an INSERT
    161 → 30 µs). The session is not flushed first, and its objects are not synchronised."""
    return db.session.connection().execute(statement, params or {})


def upsert(model, dialect: str | None = None):
    """``INSERT`` for the session's database (or the named `dialect`) with its ``ON CONFLICT``
    clauses (``on_conflict_do_nothing`` / ``on_conflict_do_update``): PostgreSQL's or
    SQLite's."""
    dialect = dialect or db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a use case in one write transaction that commits on success, rolls back on error.

    On SQLite the transaction starts with BEGIN IMMEDIATE (takes the write lock first, so
    concurrent writers queue instead of failing), behind `writer_lock`, and with
    ``SQLITE_SYNCHRONOUS=FULL`` it returns only once the WAL is fsynced (group commit, see
    `set_sqlite_synchronous`). Any read transaction the request had open is ended first
    (its objects expire, and are read again under the lock if used), because the write
    lock must be taken at BEGIN. The signed-in user of a request is not among them: it is
    a read-only `accounts.models.SessionUser`, outside the session.
    """
    session = db.session()  # the request's Session behind the scoped_session proxy
    if session.in_transaction():
        session.commit()
    engine = session.get_bind()
    with writer_lock(engine):
        connection = session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        fsync_after = _fsync_deferred(connection)
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
    if fsync_after:
        _flush_wal(engine)
