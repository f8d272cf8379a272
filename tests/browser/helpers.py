"""Helpers shared by the browser tests: the e2e account and the accessibility check."""
from __future__ import annotations

import pytest

E2E_EMAIL, E2E_PASSWORD = "e2e@example.org", "browser test passphrase"


def serious_violations(page):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe_module.Axe().run(page)
    serious = [v for v in results.response["violations"]
               if v.get("impact") in ("serious", "critical")]
    return serious, results


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def live_app(tmp_path_factory):
    """A second app on the `live_server` fixture's database (the server runs in this
    process), for tests that add their own budgets or conversations and read what the
    browser stored. Call it after requesting `live_server`."""
    from app import create_app

    [database] = {p.resolve() for p in tmp_path_factory.getbasetemp().glob("live*/live.db")}
    return create_app({"TESTING": True, "SECRET_KEY": "e2e", "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
