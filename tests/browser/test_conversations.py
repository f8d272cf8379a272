"""In chromium: a statement written in a strictly moderated conversation is shown only after a
moderator accepts it; conversation pages pass axe. (Voting, writing, moderating, the map and
the export as one story: test_story_conversations.py.)"""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import E2E_PASSWORD, audit, violations

pytestmark = pytest.mark.e2e


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


def test_a_written_statement_is_shown_after_moderation(browse, strict_server):
    writer = browse("desktop")
    writer.goto(strict_server + "/conversations/1/write")
    audit(writer)
    writer.get_by_label("Your statement").fill("Plant fruit trees along the river")
    writer.get_by_role("button", name=re.compile("^Send")).click()
    assert "Thank you for your statement" in writer.locator("h1").inner_text()
    audit(writer)
    reader = browse("desktop")
    reader.goto(strict_server + "/conversations/1")
    audit(reader)
    assert reader.locator("#vote-progress").inner_text() == "0 of 3 voted"

    moderator = browse("desktop")
    moderator.goto(strict_server + "/login")
    audit(moderator)
    moderator.get_by_label("Email").fill("mod@example.org")
    moderator.get_by_label("Password").fill(E2E_PASSWORD)
    moderator.get_by_role("button", name="Log in").click()
    moderator.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    audit(moderator)
    moderator.goto(strict_server + "/conversations/1/moderation")
    audit(moderator)
    moderator.get_by_label("Plant fruit trees along the river").check()
    moderator.get_by_label("Accept").check()
    moderator.get_by_label("Reason (shown in the audit log)").fill("clear and on topic")
    moderator.get_by_role("button", name="Apply to the chosen statements").click()
    assert "1 statement(s) moderated." in moderator.locator(".flashes").inner_text()
    audit(moderator)

    reader.reload()
    audit(reader)
    assert reader.locator("#vote-progress").inner_text() == "0 of 4 voted"


@pytest.mark.parametrize("path", ["/conversations/2/map"])  # the story audits the others
def test_conversation_pages_have_no_accessibility_violations(page, live_server, path):
    page.goto(live_server + path)
    assert violations(page) == []
