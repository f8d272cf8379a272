"""Helpers shared by test modules and conftest files (fixtures stay in conftest.py).

Test modules import these from here, never from a conftest or another test module.
"""
from __future__ import annotations

import re
import socket
import threading

from flask import g
from flask_babel import refresh as refresh_locale
from sqlalchemy import select

from app import create_app
from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxEmail
from tests import database

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
}


def fresh_per_request(app):
    """Our fixtures keep one app context, and so one `g`, across many requests, which a
    server never does: forget what Flask-Login and Flask-Babel cache on `g` before each."""

    @app.before_request
    def _forget_request_caches():
        g.pop("_login_user", None)
        refresh_locale()

    return app


def make_app(tmp_path, **overrides):
    """An app on a fresh database, tables created; `overrides` win. The database is a SQLite
    file in `tmp_path`, or with CIVIC_TEST_DATABASE=postgresql a new PostgreSQL database
    (tests/database.py) unless `overrides` name one. Apps made on one `tmp_path` share it."""
    def build(uri):
        return fresh_per_request(create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri,
                                             **overrides}))

    if database.on_postgresql() and "SQLALCHEMY_DATABASE_URI" not in overrides:
        return database.app_on_postgresql(build, tmp_path)
    app = build(f"sqlite:///{tmp_path / 'test.db'}")
    with app.app_context():
        db.create_all()
    return app


def link_path(body: str) -> str:
    """The path of the first http(s) link in an email body."""
    match = re.search(r"https?://[^/\s]+(/\S*)", body)
    assert match, f"no link in email body: {body!r}"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_postgres_database(postgres_url: str, name: str) -> str:
    """Drop (closing any connection still open to it) and recreate database `name` on the
    server of `postgres_url`; return its SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


# Concurrency tests: N requests released at once by a barrier.
N = 50


def released_at_once(count: int, target) -> list:
    """Run target(i) in `count` threads released together by a barrier; return the results
    (any exception in a thread fails the caller)."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def in_parallel(app, request_for):
    """Run request_for(client, i) in N threads released at once; return the responses."""
    db.session.commit()  # end the main thread's transaction so it holds no snapshot
    clients = [app.test_client() for _ in range(N)]
    return released_at_once(N, lambda i: request_for(clients[i], i))


def audit_rows(action: str) -> list:
    """Every audit entry of `action`, oldest first: (actor, action, target type, target id,
    time, details), for tests that state the whole entry."""
    return db.session.execute(select(
        AuditEntry.actor_id, AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id,
        AuditEntry.at, AuditEntry.details).where(AuditEntry.action == action)
        .order_by(AuditEntry.id)).all()


def mail_to(address: str) -> list:
    """(subject, body) of each email queued to `address`, oldest first."""
    return db.session.execute(select(OutboxEmail.subject, OutboxEmail.body).where(
        OutboxEmail.to == address).order_by(OutboxEmail.id)).all()
