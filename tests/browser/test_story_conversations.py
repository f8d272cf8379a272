"""The conversation story in chromium, on a desktop and on a 390 x 844 phone, every page
audited by axe: a participant votes on three statements anonymously (no page loads), writes
one, registers and keeps the votes; a moderator accepts the statement; a facilitator opens the
opinion map and the report and downloads the Polis export."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from tests.browser.helpers import STAFF_PASSWORD, audit, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
expect = pytest.importorskip("playwright.sync_api").expect


def vote_three_times(page, live) -> int:
    """Vote Agree, Disagree and Pass on conversation 1; returns how many statements it has."""
    page.goto(live.url + "/conversations/1")
    audit(page)
    progress = page.locator("#vote-progress")
    expect(progress).to_have_text(re.compile(r"^0 of \d+ voted$"))
    total = int(progress.inner_text().split()[2])
    seen, url_before = [], page.url
    for n, button in enumerate(("Agree", "Disagree", "Pass / unsure"), start=1):
        seen.append(page.locator("#vote-statement").inner_text())
        page.get_by_role("button", name=button, exact=True).click()
        expect(progress).to_have_text(re.compile(f"^{n} of "))
    audit(page)  # the page as the script left it
    assert page.url == url_before  # no page load: the script voted
    assert len(set(seen)) == 3
    assert progress.inner_text() == f"3 of {total} voted"
    page.reload()
    audit(page)
    expect(page.locator("#your-votes-section tbody tr")).to_have_count(3)
    return total


def test_participate_moderate_and_read_the_map(browse, live, device):
    statement = f"Bike lanes should be separated from traffic ({device})"
    participant = browse(device)
    errors = []
    participant.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    total = vote_three_times(participant, live)

    participant.get_by_role("link", name="Write a statement of your own").click()
    audit(participant)
    participant.get_by_label("Your statement").fill(statement)
    participant.get_by_role("button", name=re.compile("^Send")).click()
    if participant.get_by_role("button", name="Send anyway").count():
        audit(participant)
        participant.get_by_role("button", name="Send anyway").click()
    expect(participant.locator("h1")).to_contain_text("Thank you for your statement")
    audit(participant)

    # Registering and logging in keeps the anonymous votes.
    email, password = f"pat-{device}@example.org", "a long participant passphrase"
    participant.goto(live.url + "/register")
    audit(participant)
    participant.get_by_label("Display name").fill(f"Pat {device}")
    participant.get_by_label("Email").fill(email)
    participant.get_by_label("Password").fill(password)
    participant.get_by_role("button", name="Create account").click()
    audit(participant)
    log_in(participant, live.url, email, password)
    audit(participant)
    participant.goto(live.url + "/conversations/1")
    audit(participant)
    expect(participant.locator("#vote-progress")).to_have_text(re.compile("^3 of "))

    # The moderator accepts the new statement.
    moderator = browse(device)
    log_in(moderator, live.url, "moderator@example.org", STAFF_PASSWORD)
    audit(moderator)
    moderator.goto(live.url + "/conversations/1/moderation")
    audit(moderator)
    moderator.get_by_label(statement).check()
    moderator.get_by_role("radio", name="Accept").check()
    moderator.get_by_label("Reason (shown in the audit log)").fill("clear and on topic")
    moderator.get_by_role("button", name="Apply to the chosen statements").click()
    expect(moderator.locator(".flashes")).to_contain_text("1 statement(s) moderated.")
    audit(moderator)
    moderator.locator("summary").click()
    expect(moderator.get_by_label(
        re.compile(re.escape(statement) + " — accepted", re.IGNORECASE))).to_be_attached()
    audit(moderator)

    # The facilitator reads the opinion map and the report and downloads the export.
    facilitator = browse(device)
    facilitator.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(facilitator, live.url, "facilitator@example.org", STAFF_PASSWORD)
    audit(facilitator)
    facilitator.goto(live.url + "/conversations/1")
    audit(facilitator)
    facilitator.get_by_role("link", name="Opinion map").click()
    facilitator.wait_for_selector("#opinion-map .main-svg")
    audit(facilitator)
    assert facilitator.locator("#opinion-map .point").count() > 0
    expect(facilitator.get_by_role("table").first).to_be_attached()  # the map as a table
    facilitator.get_by_role("link", name="Report").click()
    audit(facilitator)
    with facilitator.expect_download() as download:
        facilitator.get_by_role("link", name="Polis openData files (.zip)").click()
    assert download.value.suggested_filename == "conversation-1.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        summary = dict(csv.reader(io.StringIO(archive.read("summary.csv").decode())))
        votes = list(csv.DictReader(io.StringIO(archive.read("votes.csv").decode())))
        comments = {row["comment-body"]: row for row in
                    csv.DictReader(io.StringIO(archive.read("comments.csv").decode()))}
    assert summary["topic"] == "What should the city centre feel like in 2030?"
    assert int(summary["comments"]) == total + 1  # with the new statement
    assert len(votes) >= 3
    # comments.csv lists every statement, the new one (nobody voted yet) with zero counts.
    assert len(comments) == total + 1
    new = comments[statement]
    assert (new["agrees"], new["disagrees"], new["moderated"]) == ("0", "0", "1")
    # No script is blocked by the CSP (plotly's own inline styles are another matter).
    blocked = [e for e in errors if "Content Security Policy" in e and "inline style" not in e]
    assert blocked == [], errors
