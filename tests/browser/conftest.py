"""Real-browser fixtures: the app on a free localhost port, driven by Debian's chromium.

Playwright cannot download its own browser here (docs/ecosystem.md §4), so we launch the
system chromium through `executable_path`; without it the e2e tests are skipped.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from core.db import db, utcnow
from tests.browser.helpers import CHROMIUM_ARGS, E2E_EMAIL, E2E_PASSWORD


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the real app (temp-file SQLite, demo budgets and conversation, one
    confirmed test user) served in a thread."""
    from accounts import demo as accounts_demo
    from accounts.models import User
    from deliberation import demo as deliberation_demo
    from pb import demo as pb_demo

    db_path = tmp_path_factory.mktemp("live") / "live.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "e2e", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    with app.app_context():
        db.create_all()
        users = accounts_demo.seed(echo=lambda line: None)
        pb_demo.seed(users)
        deliberation_demo.seed(users)
        user = User(email=E2E_EMAIL, display_name="Browser Tester",
                    email_confirmed_at=utcnow())
        user.set_password(E2E_PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # emailed links
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        pytest.skip("chromium is not installed (make system-deps installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
