"""Migrations build the whole schema on an empty database, matching the models."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from core.db import db
from tests.helpers import TEST_CONFIG, fresh_postgres_database


def schema_differences(app) -> list:
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)


@pytest.mark.sqlite
def test_upgrade_on_an_empty_sqlite_database_matches_the_models(tmp_path):
    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    differences = schema_differences(app)
    assert differences == [], (
        "migrations/ is behind the models: regenerate the revision (flask db migrate)")


@pytest.mark.postgres
def test_upgrade_and_register_login_on_postgresql(postgres_url):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres_url})
    assert schema_differences(app) == []
    with app.app_context():
        client = app.test_client()
        response = client.post("/register", data={"display_name": "Pat",
                                                  "email": "Pat@Example.org",
                                                  "password": "a long enough passphrase"})
        assert response.status_code == 302
        again = client.post("/register", data={"display_name": "Pat",
                                               "email": "pat@example.org",
                                               "password": "a long enough passphrase"})
        assert again.status_code == 302
        from sqlalchemy import func, select

        from accounts.models import User

        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        login = client.post("/login", data={"email": "pat@example.org",
                                            "password": "a long enough passphrase"})
        assert login.status_code == 302
        assert client.get("/account").status_code == 200
        db.session.remove()


@pytest.mark.postgres
def test_the_demo_seeds_twice_on_postgresql(postgres_url):
    url = fresh_postgres_database(postgres_url, "demo")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        for _ in range(2):
            result = runner.invoke(args=["seed-demo"])
            assert result.exit_code == 0, result.output
        client = app.test_client()
        for path in ("/", "/budgets/", "/budgets/1", "/conversations/", "/petitions/"):
            assert client.get(path).status_code == 200, path
        db.session.remove()
        db.engine.dispose()
