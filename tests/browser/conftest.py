"""Real-browser fixtures: one chromium for the session, the real app on a free localhost port
with a fresh database per test module, pages on a desktop or a 390 x 844 phone that are
audited by axe on every document they show, and a screenshot of every open page when a test
fails (test-artifacts/screenshots/<test id>-<n>.png).

Playwright cannot download its own browser here (docs/ecosystem.md §4), so we launch the
system chromium through `executable_path`; without it the e2e tests are skipped.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from core.db import db, utcnow
from tests.browser.helpers import (
    CHROMIUM_ARGS,
    DEVICES,
    E2E_EMAIL,
    E2E_PASSWORD,
    STAFF_PASSWORD,
    Audit,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class Live:
    """A running app: its base URL and the Flask app (for an app context on its database)."""

    url: str
    app: object


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or report.failed


def _config(db_path) -> dict:
    return {"TESTING": True, "SECRET_KEY": "e2e", "RATELIMIT_ENABLED": False,
            # every browser signs from 127.0.0.1: no per-IP fraud limits here
            "PETITIONS_SIGNING_LIMITS": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"}


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> Path:
    """A SQLite file with the demo users (staff passwords: helpers.STAFF_PASSWORD), budgets
    (with the Wieliczka MES results), conversations and petitions, and one confirmed citizen
    (helpers.E2E_EMAIL); built once, copied for each module."""
    from accounts import demo as accounts_demo
    from accounts.models import User
    from deliberation import demo as deliberation_demo
    from pb import demo as pb_demo
    from petitions import demo as petitions_demo

    db_path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    app = create_app(_config(db_path))
    with app.app_context():
        db.create_all()
        users = accounts_demo.seed(echo=lambda line: None)
        pb_demo.seed(users)
        deliberation_demo.seed(users)
        petitions_demo.seed(users, utcnow())
        for user in users.values():
            if user.role_rows:
                user.set_password(STAFF_PASSWORD)
        user = User(email=E2E_EMAIL, display_name="Browser Tester",
                    email_confirmed_at=utcnow())
        user.set_password(E2E_PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return db_path


@pytest.fixture(scope="module")
def live(seeded_database, tmp_path_factory):
    """The real app in a thread on a fresh copy of the seeded database (see
    `seeded_database`): one app per test module."""
    db_path = tmp_path_factory.mktemp("live") / "live.db"
    shutil.copyfile(seeded_database, db_path)
    app = create_app(_config(db_path))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # emailed links
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(url, app)
    server.shutdown()


@pytest.fixture(scope="module")
def live_server(live):
    """Base URL of the module's app (see `live`)."""
    return live.url


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


@pytest.fixture(params=sorted(DEVICES))
def device(request):
    """'desktop' or 'phone': a test that takes it runs once on each."""
    return request.param


def _screenshot(request, pages) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    for n, page in enumerate(pages):
        if not page.is_closed():
            try:
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{n}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a screenshot must not hide the real failure
                pass


@pytest.fixture
def browse(chromium, request):
    """Factory: `browse(device="desktop", audit=True, **context_options)` opens a fresh
    browser context (its own cookies: one person) and returns its page. Audited pages fail
    the test on any axe violation of any document they showed; every page is screenshotted
    when the test fails."""
    opened = []

    def open_page(device: str = "desktop", *, audit: bool = True, **options):
        context = chromium.new_context(locale="en-GB", **DEVICES[device], **options)
        page = context.new_page()
        page.set_default_timeout(30_000)  # a loaded 2-core box
        page.axe_audit = Audit(page) if audit else None
        opened.append((page, page.axe_audit))
        return page

    yield open_page
    failed = _failed(request)
    if failed:
        _screenshot(request, [page for page, _ in opened])
    found = []
    for _page, audit in opened:
        if audit is not None and not failed:
            found.extend(audit.finish())
    if found and not failed:
        _screenshot(request, [page for page, _ in opened])
    for page, _ in opened:
        page.context.close()
    assert found == [], "axe violations:\n" + "\n".join(dict.fromkeys(found))


@pytest.fixture
def page(browse):
    """One desktop page (not audited automatically: call helpers.violations where needed)."""
    return browse("desktop", audit=False)
