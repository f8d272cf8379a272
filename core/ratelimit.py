"""Rate-limit counters in the app's own database: ``RATELIMIT_STORAGE_URI = "database://"``.

Flask-Limiter keeps its counters in a `limits` storage chosen by URI. ``memory://`` lives
in one process, so behind gunicorn × 4 (or several machines) every worker would count on
its own; ``redis://host:6379/0`` (the ``redis`` extra) shares them through Redis; this one
shares them through the database every web worker already uses, SQLite or PostgreSQL.

Each hit is one atomic statement on a counter row,
``INSERT … ON CONFLICT (key) DO UPDATE SET count = count + n … RETURNING count``, so fifty
parallel failed logins of one account count to exactly fifty on both databases: nothing
counts first and then acts. Only the fixed-window strategy (Flask-Limiter's default) is
supported.
"""
from __future__ import annotations

import hashlib
import itertools
import math
import time
from dataclasses import dataclass

import limits
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Float, Integer, String, case, create_engine, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db

KEY_LENGTH = 255
# Every PURGE_EVERY-th hit in a process also deletes the windows that have ended.
PURGE_EVERY = 256


class RateLimitCounter(db.Model):
    """One window of one limit: how many hits so far, and when the window ends."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False, index=True)  # Unix time


_SQLITE_ENGINES: dict[str, object] = {}


def _engine():
    """The current app's engine; on SQLite, an engine of its own on the same file whose
    commits skip the fsync (``synchronous=OFF``; WAL keeps the file consistent): a counter
    lost in a power cut costs nothing, an fsync per hit would double the cost of signing."""
    engine = db.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    url = engine.url.render_as_string(hide_password=False)
    if url not in _SQLITE_ENGINES:
        if len(_SQLITE_ENGINES) >= 8:  # test runs make many apps: close the oldest
            _SQLITE_ENGINES.pop(next(iter(_SQLITE_ENGINES))).dispose()
        counters = create_engine(url)

        @event.listens_for(counters, "connect")
        def _no_fsync(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA synchronous=OFF")

        _SQLITE_ENGINES[url] = counters
    return _SQLITE_ENGINES[url]


def _row_key(key: str) -> str:
    """Limit keys hold an address and an email; a very long one is stored as its hash."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage on the Flask-SQLAlchemy engine of the current app.

    Runs on its own connection and commits at once, so a hit never joins (or waits for)
    the request's transaction. Needs an app context, which every request has."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the window of `key` (a new window of `expiry` seconds if there
        is none or it has ended) and return the count, in one atomic upsert."""
        now = time.time()
        table = RateLimitCounter.__table__
        engine = _engine()
        insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)
        ended = table.c.expires_at <= now
        fresh = max(amount, 0)  # a refund (amount -1) never opens a window below zero
        statement = insert(table).values(key=_row_key(key), count=fresh,
                                         expires_at=now + expiry)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((ended, fresh), else_=table.c.count + amount),
                  "expires_at": case((ended, now + expiry), else_=table.c.expires_at)},
        ).returning(table.c.count)
        with engine.begin() as conn:
            count = conn.execute(statement).scalar_one()
            if next(self._hits) % PURGE_EVERY == 0:
                conn.execute(delete(table).where(table.c.expires_at <= now))
        return count

    def _window(self, key: str):
        table = RateLimitCounter.__table__
        with _engine().connect() as conn:
            return conn.execute(select(table.c.count, table.c.expires_at).where(
                table.c.key == _row_key(key), table.c.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._window(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._window(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as conn:
                conn.execute(select(1))
        except Exception:  # noqa: BLE001 - a health check answers, it does not raise
            return False
        return True

    def reset(self) -> int | None:
        with _engine().begin() as conn:
            return conn.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with _engine().begin() as conn:
            conn.execute(delete(table).where(table.c.key == _row_key(key)))


@dataclass(frozen=True)
class Attempt:
    """What :func:`attempt` counted: refund it when the attempt turned out fine."""

    storage: Storage
    counted: tuple[tuple[limits.RateLimitItem, tuple[str, ...]], ...]
    retry_after: int | None  # seconds to wait, when a limit was already used up

    def refund(self) -> None:
        """Take the attempt back from every counter (a successful login is no failure)."""
        for item, identifiers in self.counted:
            self.storage.incr(item.key_for(*identifiers), item.get_expiry(), amount=-1)


def attempt(storage: Storage, limits_and_keys, *, now: float | None = None) -> Attempt:
    """Count one attempt against each ``(limit string, *identifiers)`` in turn, *before*
    acting on it: the atomic increment of the storage is the check, so fifty parallel
    attempts can never all pass a "fewer than five so far" test. The first limit already
    used up stops the count (a refused attempt does not eat into the wider limits) and
    sets ``retry_after``, the seconds until it opens again; the attempt must be refused."""
    strategy = FixedWindowRateLimiter(storage)
    now = time.time() if now is None else now
    counted = []
    for limit, *identifiers in limits_and_keys:
        item = limits.parse(limit)
        counted.append((item, tuple(identifiers)))
        if not strategy.hit(item, *identifiers):
            reset = strategy.get_window_stats(item, *identifiers).reset_time
            return Attempt(storage, tuple(counted), max(1, math.ceil(reset - now)))
    return Attempt(storage, tuple(counted), None)
