"""Shared fixtures: an app on a fresh temporary SQLite database per test (helpers that test
modules import live in tests/helpers.py).

`app` disables CSRF so feature tests can post forms directly; tests about CSRF build an app
with it enabled (`csrf_app`). Users are created with `make_user` and logged in with
`login_as`, which sets the Flask-Login session without going through the login form.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from core.db import db as _db
from core.db import utcnow
from tests.helpers import make_app

ROOT = Path(__file__).resolve().parent.parent

# The database the tests run on (CIVIC_TEST_DATABASE) and the `postgres_url` fixture.
pytest_plugins = ["tests.database_plugin"]


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        yield app
        _db.session.remove()


@pytest.fixture
def csrf_app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user: make_user(roles=("official",), email=None, confirmed=True, password=...)."""
    from accounts.models import User, UserRole

    counter = itertools.count(1)

    def make(*, roles=(), email=None, name=None, confirmed=True,
             password="correct horse battery staple"):
        n = next(counter)
        user = User(email=(email or f"user{n}@example.org").lower(),
                    display_name=name or f"User {n}",
                    email_confirmed_at=utcnow() if confirmed else None)
        user.set_password(password)
        user.role_rows = [UserRole(role=str(r)) for r in roles]
        _db.session.add(user)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def login_as():
    """login_as(client, user): log the client in as `user` (Flask-Login session keys)."""

    def login(client, user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True

    return login


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile translations/*.po into .mo when missing or stale (`make` does it too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture
def outbox(app):
    """outbox(to=None) -> emails in the outbox (oldest first), optionally only to one address."""
    from sqlalchemy import select

    from core.mail import OutboxEmail

    def emails(to=None):
        query = select(OutboxEmail).order_by(OutboxEmail.id)
        if to is not None:
            query = query.where(OutboxEmail.to == to)
        return list(_db.session.scalars(query))

    return emails
