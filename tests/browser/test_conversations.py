"""In chromium: vote on three statements without reloads, write one, see it after
moderation, see the opinion map drawn by plotly under the CSP."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import E2E_EMAIL, E2E_PASSWORD

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
    # No script is blocked by the CSP (plotly's own injected <style> rules are: the chart
    # draws without them, so they are not allowed in via 'unsafe-inline').
    blocked = [e for e in errors if "Content Security Policy" in e and "inline style" not in e]
    assert blocked == [], errors
