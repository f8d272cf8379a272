"""Petition helpers shared by test modules, conftest and bench/petition_areas.py: a frozen
start time, small scheme rules, people, a petition walked to open, signing with confirmation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db as _db
from petitions import moderation, service
from petitions.models import Petition, Signature
from tests.helpers import N, fresh_postgres_database, make_app

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

SMALL_RULES = dict(sponsor_count=2, visibility_threshold=0, response_threshold=4,
                   window_days=30, debate_threshold=6, response_due_days=10)


def person(email, name, roles=()):
    """A confirmed user without a password (scrypt per user would dominate test time);
    tests log in with `login_as`."""
    from accounts.models import User, UserRole

    user = User(email=email, display_name=name, email_confirmed_at=T0,
                role_rows=[UserRole(role=r) for r in roles])
    _db.session.add(user)
    return user


def sponsoring(scheme, people, *, title="Fix the potholes on Mill Lane",
               action="Repair every pothole on Mill Lane this year.", now=T0):
    """The creator's draft, submitted at `now`: gathering sponsors, the creator's signature
    the first (the petition as `start_sponsoring` returns it)."""
    creator = people["creator"]
    p = service.create_petition(scheme_id=scheme.id, creator=creator, title=title,
                                action=action, background="", now=now)
    return service.start_sponsoring(p.id, creator=creator, now=now)


def awaiting_moderation(scheme, people, *, title="Fix the potholes on Mill Lane",
                        action="Repair every pothole on Mill Lane this year.", now=T0) -> int:
    """A petition walked through draft → sponsoring with the scheme's sponsors, now waiting
    for a moderator; its id."""
    p = sponsoring(scheme, people, title=title, action=action, now=now)
    for i in range(scheme.sponsor_count):
        sign_and_confirm(p.id, f"sponsor{i}@example.org", now=now,
                         sponsor_token=_db.session.get(Petition, p.id).sponsor_token)
    return p.id


def open_petition(scheme, people, *, title="Fix the potholes on Mill Lane",
                  action="Repair every pothole on Mill Lane this year.", now=T0):
    """A petition walked through draft → sponsoring → moderation → open with 2 sponsors."""
    petition_id = awaiting_moderation(scheme, people, title=title, action=action, now=now)
    moderation.approve(petition_id, actor=people["moderator"], now=now + timedelta(hours=1))
    return _db.session.get(Petition, petition_id)


def reload(petition_id):
    """The petition as the database has it now (other sessions and bulk UPDATEs included)."""
    _db.session.expire_all()
    return _db.session.get(Petition, petition_id)


def token_for(petition_id, email):
    return _db.session.scalar(select(Signature.token).where(
        Signature.petition_id == petition_id, Signature.email == email))


def sign_and_confirm(petition_id, email, *, now, name="Sam Signer", area=None,
                     sponsor_token=None, notify=False, ip="198.51.100.7"):
    outcome = service.sign(petition_id, name=name, email=email, area=area, ip=ip,
                           notify=notify, now=now, confirm_link=lambda t: f"/confirm/{t}",
                           sponsor_token=sponsor_token)
    if outcome == service.SignOutcome.CONFIRMATION_SENT:
        service.confirm_signature(token_for(petition_id, email), now=now)
    return outcome


def count_rows(petition_id, state="validated"):
    return _db.session.scalar(select(func.count(Signature.id)).where(
        Signature.petition_id == petition_id, Signature.state == state))


def tokens(petition_id):
    return _db.session.scalars(select(Signature.token).where(
        Signature.petition_id == petition_id, Signature.token.is_not(None))).all()


# Imported as `app` by the concurrency tests: each runs on SQLite, then on PostgreSQL.
@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_on_sqlite_and_postgresql(request, tmp_path):
    """The petitions app on SQLite, then on PostgreSQL (ON CONFLICT has one path per dialect)."""
    overrides = {"PETITIONS_SIGNING_LIMITS": False, "SERVER_NAME": "civic.test"}
    if request.param == "postgresql":
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"),
                                       "petitions_concurrency")
        overrides |= {"SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": N}}
    app = make_app(tmp_path, **overrides)
    with app.app_context():
        assert _db.engine.dialect.name == request.param
        yield app
        _db.session.remove()
        _db.engine.dispose()
