"""Shared fixtures: an app on a fresh temporary SQLite database per test.

`app` disables CSRF so feature tests can post forms directly; tests about CSRF build an app
with it enabled (`csrf_app`). Users are created with `make_user` and logged in with
`login_as`, which sets the Flask-Login session without going through the login form.
"""
from __future__ import annotations

import itertools

import pytest

from app import create_app
from core.db import db as _db, utcnow

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
}


def _make_app(tmp_path, **overrides):
    app = create_app({
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        **overrides,
    })
    with app.app_context():
        _db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    app = _make_app(tmp_path)
    with app.app_context():
        yield app
        _db.session.remove()


@pytest.fixture
def csrf_app(tmp_path):
    app = _make_app(tmp_path, WTF_CSRF_ENABLED=True)
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
