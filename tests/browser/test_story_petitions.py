"""The petition story in chromium, on a desktop and on a 390 x 844 phone, every page audited
by axe: a citizen creates a petition and gathers sponsors through the sponsor link, a moderator
publishes it, a visitor signs (confirmed from the outbox); past its response threshold an
official answers it, the signers who asked for news get the answer by email, and the official
opens a conversation about it."""
from __future__ import annotations

import re

import pytest

from core.db import db, utcnow
from tests.browser.helpers import (
    E2E_EMAIL,
    E2E_PASSWORD,
    STAFF_PASSWORD,
    audit,
    emailed_link,
    log_in,
    outbox,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
expect = pytest.importorskip("playwright.sync_api").expect
SCHEME = "Story scheme (2 sponsors, answer at 3)"


@pytest.fixture(scope="module")
def scheme(live):
    """A small scheme: two sponsors, a response due from three signatures."""
    from accounts.models import User
    from core.process import Commitment
    from petitions import moderation

    with live.app.app_context():
        admin = db.session.query(User).filter_by(email="admin@example.org").one()
        moderation.save_scheme(
            None, actor=admin, now=utcnow(), title=SCHEME, authority="City council",
            description="A scheme small enough for a story.", commitment=Commitment.BINDING,
            sponsor_count=2, visibility_threshold=0, response_threshold=3, window_days=30,
            debate_threshold=None, response_due_days=30, moderation_sla_days=5,
            area_kind="none", area_choices="", eligibility_text="Anyone may sign.")
        db.session.remove()
    return SCHEME


def sign_and_confirm(page, live, *, url, name, email, button="Sign this petition"):
    page.goto(url)
    audit(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("I am eligible to sign this petition").check()
    page.get_by_label("Email me when there is a response").check()
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text("Check your email")
    audit(page)
    page.goto(emailed_link(live.app, email, "/petitions/confirm/"))
    audit(page)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("status")).to_contain_text("Your signature has been confirmed.")
    audit(page)


def test_create_sponsor_publish_sign_answer_and_discuss(browse, live, device, scheme):
    title = f"Water fountains in every park ({device})"
    creator = browse(device)
    log_in(creator, live.url, E2E_EMAIL, E2E_PASSWORD)
    audit(creator)
    creator.goto(live.url + "/petitions/new")
    audit(creator)
    creator.get_by_label("Where to send it").select_option(label=scheme)
    creator.get_by_label("What do you want us to do?").fill(title)
    creator.get_by_label("What action do you want taken?").fill(
        "Install a drinking fountain in each public park by next summer.")
    creator.get_by_label("Why do you want it? (background)").fill(
        "Summers are hotter and bottled water is waste.")
    creator.get_by_role("button", name="Save draft").click()
    expect(creator.locator("h1")).to_have_text(title)
    audit(creator)
    creator.get_by_role("button", name="Submit and collect sponsors").click()
    audit(creator)
    sponsor_link = creator.get_by_label("Send this link to your sponsors").input_value()
    petition_url = creator.url

    for n in (1, 2):  # two sponsors, each in a browser of their own
        sponsor = browse(device)
        sign_and_confirm(sponsor, live, url=sponsor_link, name=f"Sponsor {n}",
                         email=f"sponsor{n}-{device}@example.org")

    moderator = browse(device)
    log_in(moderator, live.url, "moderator@example.org", STAFF_PASSWORD)
    audit(moderator)
    moderator.goto(live.url + "/petitions/moderation")
    audit(moderator)
    card = moderator.locator("li.card", has_text=title)
    card.get_by_role("button", name="Approve and open").click()
    audit(moderator)

    signer_email = f"signer-{device}@example.org"
    signer = browse(device)
    signer.goto(live.url + "/petitions/")
    audit(signer)
    signer.get_by_role("link", name=title).click()
    audit(signer)
    sign_and_confirm(signer, live, url=petition_url, name="Sam Signer", email=signer_email)
    signer.goto(petition_url)
    audit(signer)
    expect(signer.locator(".pt-count").first).to_have_text("4")  # creator, sponsors, signer

    official = browse(device)
    log_in(official, live.url, "official@example.org", STAFF_PASSWORD)
    audit(official)
    official.goto(live.url + "/petitions/officials")
    audit(official)
    official.get_by_role("row").filter(has_text=title).get_by_role(
        "link", name="Write response").click()
    audit(official)
    official.get_by_label("Summary").fill("Fountains will be installed in 12 parks this year.")
    official.get_by_label("Full response").fill("The parks office has a budget for it.")
    official.get_by_role("button", name="Preview").click()
    audit(official)
    official.get_by_role("button", name="Publish and email signers").click()
    expect(official.locator(".flashes")).to_contain_text("Response published")
    audit(official)
    emailed = [body for body in outbox(live.app, signer_email) if "12 parks" in body]
    assert len(emailed) == 1, outbox(live.app, signer_email)

    official.get_by_role("button", name="Open a conversation about this petition").click()
    official.wait_for_url(re.compile(r".*/conversations/\d+/edit$"))
    audit(official)
    # Back on the petition, the draft is linked and no second conversation is offered.
    official.goto(petition_url)
    audit(official)
    expect(official.get_by_role(
        "button", name="Open a conversation about this petition")).to_have_count(0)
    official.get_by_role("link", name="Draft conversation: continue setting it up").click()
    official.wait_for_url(re.compile(r".*/conversations/\d+/edit$"))
    audit(official)
    official.get_by_role("button", name="Open for participation").click()
    audit(official)
    official.goto(petition_url)
    audit(official)
    conversation = official.get_by_role("region", name="Conversation about this petition")
    expect(conversation).to_be_visible()
    conversation.get_by_role("link").first.click()
    audit(official)
    assert re.search(r"/conversations/\d+", official.url)
