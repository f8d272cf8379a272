"""Petitions in chromium: sign and confirm by email (with a refused form first), district
errors, accessibility. Creating, sponsoring, answering: test_story_petitions.py."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db
from tests.browser.helpers import E2E_EMAIL, E2E_PASSWORD, STAFF_PASSWORD, violations

# The first test also starts the server and chromium (session fixtures).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

OPEN_PETITION = "Free bus travel for under-18s"
AWAITING_RESPONSE = "Ban single-use plastic cups at events"
DISTRICT_PETITION = "Extend library opening hours to midnight"  # Join-like: districts


@pytest.fixture(scope="module")
def site(live):
    """(base URL, app, {petition title: id}) of the module's app with the demo petitions."""
    from petitions.models import Petition

    with live.app.app_context():
        ids = {p.title: p.id for p in db.session.scalars(select(Petition))}
        db.session.remove()
    return live.url, live.app, ids


def log_in(page, base, email, password):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def signature_count(page) -> int:
    return int(page.locator(".pt-count").inner_text().replace(",", ""))


def confirmation_link(app, email) -> str:
    from core.mail import OutboxEmail

    with app.app_context():
        bodies = db.session.scalars(select(OutboxEmail.body).where(OutboxEmail.to == email)).all()
        db.session.remove()
    assert len(bodies) == 1
    return re.search(r"https?://\S+/petitions/confirm/\S+", bodies[0]).group(0)


def test_anonymous_person_signs_and_confirms_by_email(page, site):
    base, app, _ids = site
    page.goto(base + "/petitions/")
    page.get_by_role("link", name=OPEN_PETITION).click()
    before = signature_count(page)

    # Without the eligibility box the server sends the form back with an error, and the page
    # stays accessible (the browser's own `required` check is switched off to get there).
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.locator("form", has=page.get_by_label("Your name")).evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Sign this petition").click()
    assert "You must confirm you are eligible." in page.locator(".error").inner_text()
    assert violations(page) == []

    page.get_by_label("Area").fill("SW1A 1AA")
    page.get_by_label("I am eligible to sign this petition").check()
    page.get_by_role("button", name="Sign this petition").click()
    assert "Check your email" in page.get_by_role("status").inner_text()

    page.goto(confirmation_link(app, "ada@example.org"))
    assert page.locator("h1").inner_text() == "Confirm your signature"
    assert violations(page) == []
    page.get_by_role("button", name="Confirm my signature").click()
    assert "Your signature has been confirmed." in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Back to the petition").click()
    assert page.locator("h1").inner_text() == OPEN_PETITION
    assert signature_count(page) == before + 1


def test_a_district_error_is_shown_on_the_select_and_announced(page, site):
    base, _app, ids = site
    page.goto(f"{base}/petitions/{ids[DISTRICT_PETITION]}")
    district = page.get_by_label("District")
    # Only a forged form can send a district outside the list; the server still says why.
    district.evaluate("s => s.add(new Option('Atlantis', 'Atlantis', true, true))")
    page.get_by_label("Your name").fill("Al Atlantean")
    page.get_by_label("Email", exact=True).fill("al@example.org")
    page.get_by_label("I am eligible to sign this petition").check()
    page.get_by_role("button", name="Sign this petition").click()
    district = page.get_by_label("District")
    assert district.get_attribute("aria-invalid") == "true"
    assert page.locator("#" + district.get_attribute("aria-describedby")).inner_text() == (
        "Choose a district from the list.")
    assert violations(page) == []


DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map(element => element.id);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}"""


@pytest.mark.parametrize(("who", "path"), [
    (None, "/petitions/{Extend library opening hours to midnight}"),
    (None, "/petitions/{Add bicycle lanes on Xinyi Road}"),  # with a response
    (None, "/petitions/confirm/not-a-real-token"),
])
def test_no_accessibility_violations(page, site, who, path):
    base, _app, ids = site
    if who == "citizen":
        log_in(page, base, E2E_EMAIL, E2E_PASSWORD)
    elif who:
        log_in(page, base, f"{who}@example.org", STAFF_PASSWORD)
    page.goto(base + re.sub(r"\{(.+?)\}", lambda m: str(ids[m.group(1)]), path))
    assert page.locator("h1").count() == 1
    assert page.evaluate(DUPLICATE_IDS) == []
    assert violations(page) == []
