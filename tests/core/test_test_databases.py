"""The test run's database switch (tests/database.py): the PostgreSQL half really runs on
PostgreSQL, and apps built on one folder share its database on both."""
from __future__ import annotations

from sqlalchemy import func, select

from accounts.models import User
from core.db import db
from tests import database
from tests.helpers import make_app


def test_the_app_runs_on_the_database_the_run_asked_for(app):
    assert db.engine.dialect.name == database.backend()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_apps_built_on_one_folder_share_its_database_and_others_do_not(tmp_path):
    (tmp_path / "other").mkdir()
    first, again, other = make_app(tmp_path), make_app(tmp_path), make_app(tmp_path / "other")
    with first.app_context():
        db.session.add(User(email="ana@example.org", display_name="Ana"))
        db.session.commit()
        db.session.remove()
    for app, users in ((again, 1), (other, 0)):
        with app.app_context():
            assert db.engine.dialect.name == database.backend()
            assert db.session.scalar(select(func.count()).select_from(User)) == users
            db.session.remove()
