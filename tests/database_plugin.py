"""The PostgreSQL half of the test run (loaded by tests/conftest.py; see tests/database.py).

With CIVIC_TEST_DATABASE=postgresql: the cluster starts before the first test (or the run
stops with "PostgreSQL half skipped: <reason>" and success where PostgreSQL is not
installed), each test's databases are dropped when it ends, and only tests that reach the
database run: those using an `app`-like fixture or a module that builds apps itself; tests
pinned to one database (markers `sqlite`, `postgres`) and browser tests (`e2e`) ran in the
SQLite half already.
"""
from __future__ import annotations

import pytest

from tests import database

DATABASE_FIXTURES = {"app", "csrf_app", "db", "client", "runner", "postgres_url"}


def pytest_report_header(config):
    where = "a throwaway PostgreSQL cluster" if database.on_postgresql() else "SQLite files"
    return f"test database: {database.backend()} ({where}; {database.BACKEND_VARIABLE})"


def pytest_sessionstart(session):
    if not database.on_postgresql():
        return
    try:
        database.cluster()
    except database.NotInstalled as reason:
        pytest.exit(f"PostgreSQL half skipped: {reason}", returncode=0)


def _builds_apps(module) -> bool:
    from app import create_app
    from tests.helpers import make_app

    return any(value is make_app or value is create_app for value in vars(module).values())


def _reaches_the_database(item) -> bool:
    if item.get_closest_marker("e2e") or item.get_closest_marker("sqlite") \
            or item.get_closest_marker("postgres"):
        return False
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    return module is not None and _builds_apps(module)


def pytest_collection_modifyitems(config, items):
    if not database.on_postgresql():
        return
    kept = [item for item in items if _reaches_the_database(item)]
    skipped = [item for item in items if not _reaches_the_database(item)]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _test_databases_dropped():
    yield
    database.drop_test_databases()


@pytest.fixture(scope="session")
def postgres_url():
    """URL of an empty database on the run's PostgreSQL cluster; skipped when PostgreSQL is
    not installed. TEST_DATABASE_URL uses an existing server."""
    try:
        cluster = database.cluster()
    except database.NotInstalled as reason:
        pytest.skip(str(reason))
    return cluster.recreate("appdb")
