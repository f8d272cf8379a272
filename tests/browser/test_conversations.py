"""In chromium: vote on three statements without reloads, write one, see it after
moderation, see the opinion map drawn by plotly under the CSP."""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import E2E_EMAIL, E2E_PASSWORD

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api").expect


def test_vote_write_moderate_and_see_the_map(page, live_server):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/conversations/1")
    progress = page.locator("#vote-progress")
    assert re.fullmatch(r"0 of \d+ voted", progress.inner_text())
    total = int(progress.inner_text().split()[2])
    seen = []
    url_before = page.url
    for n, button in enumerate(("Agree", "Disagree", "Pass / unsure"), start=1):
        seen.append(page.locator("#vote-statement").inner_text())
        page.get_by_role("button", name=button, exact=True).click()
        expect(progress).to_have_text(re.compile(f"^{n} of "))
    assert page.url == url_before  # no page load: the script voted
    assert len(set(seen)) == 3
    assert progress.inner_text() == f"3 of {total} voted"
    page.reload()
    assert page.locator("#your-votes-section tbody tr").count() == 3

    page.get_by_role("link", name="Write a statement of your own").click()
    page.get_by_label("Your statement").fill("Bike lanes should be separated from traffic")
    page.get_by_role("button", name=re.compile("^Send")).click()
    if page.get_by_role("button", name="Send anyway").count():
        page.get_by_role("button", name="Send anyway").click()
    assert "Thank you for your statement" in page.locator("h1").inner_text()

    # Logging in keeps the anonymous votes.
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(E2E_EMAIL)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(".*"))
    page.goto(live_server + "/conversations/1")
    assert page.locator("#vote-progress").inner_text().startswith("3 of")

    page.get_by_role("link", name="Opinion map").click()
    page.wait_for_selector("#opinion-map .main-svg")
    assert page.locator("#opinion-map .point").count() > 0
    assert page.get_by_role("table").first.is_visible()
    # No script is blocked by the CSP. plotly's global CSS comes from a file
    # (static/css/plotly-csp.css); the inline style attributes plotly.js still sets are
    # blocked, and the chart draws without them (no 'unsafe-inline' for their sake).
    blocked = [e for e in errors if "Content Security Policy" in e and "inline style" not in e]
    assert blocked == [], errors


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    """A small app of its own: one strictly moderated open conversation and a moderator."""
    import threading

    from werkzeug.serving import make_server

    from accounts.models import User, UserRole
    from app import create_app
    from core.db import db, utcnow
    from deliberation.models import Conversation, ConversationPhase, Statement

    db_path = tmp_path_factory.mktemp("strict") / "strict.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "e2e-strict", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    with app.app_context():
        db.create_all()
        moderator = User(email="mod@example.org", display_name="Mo", email_confirmed_at=utcnow(),
                         role_rows=[UserRole(role="moderator")])
        moderator.set_password(E2E_PASSWORD)
        conversation = Conversation(title="Strict town", phase=ConversationPhase.OPEN,
                                    strict_moderation=True)
        conversation.statements = [Statement(text=f"Idea number {n}", moderation=1)
                                   for n in range(3)]
        db.session.add_all([moderator, conversation])
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_written_statement_is_shown_after_moderation(chromium, strict_server):
    writer = chromium.new_context(locale="en-GB").new_page()
    writer.goto(strict_server + "/conversations/1/write")
    writer.get_by_label("Your statement").fill("Plant fruit trees along the river")
    writer.get_by_role("button", name=re.compile("^Send")).click()
    assert "Thank you for your statement" in writer.locator("h1").inner_text()
    reader = chromium.new_context(locale="en-GB").new_page()
    reader.goto(strict_server + "/conversations/1")
    assert reader.locator("#vote-progress").inner_text() == "0 of 3 voted"

    moderator = chromium.new_context(locale="en-GB").new_page()
    moderator.goto(strict_server + "/login")
    moderator.get_by_label("Email").fill("mod@example.org")
    moderator.get_by_label("Password").fill(E2E_PASSWORD)
    moderator.get_by_role("button", name="Log in").click()
    moderator.goto(strict_server + "/conversations/1/moderation")
    moderator.get_by_label("Plant fruit trees along the river").check()
    moderator.get_by_label("Accept").check()
    moderator.get_by_label("Reason (shown in the audit log)").fill("clear and on topic")
    moderator.get_by_role("button", name="Apply to the chosen statements").click()
    assert "1 statement(s) moderated." in moderator.locator(".flashes").inner_text()

    reader.reload()
    assert reader.locator("#vote-progress").inner_text() == "0 of 4 voted"
    for page in (writer, reader, moderator):
        page.context.close()


@pytest.mark.parametrize("path", ["/conversations/1/map", "/conversations/1/report",
                                  "/conversations/1/write", "/conversations/2/map"])
def test_conversation_pages_have_no_serious_accessibility_violations(page, live_server, path):
    from tests.browser.helpers import serious_violations

    page.goto(live_server + path)
    serious, results = serious_violations(page)
    assert serious == [], results.generate_report()
