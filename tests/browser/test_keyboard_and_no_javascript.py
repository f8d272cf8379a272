"""A ballot and three statement votes by keyboard alone (Tab, Shift+Tab, Enter, Space; focus
always visible, never trapped), and the same with JavaScript switched off: each time the
server stores them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from tests.browser.helpers import E2E_PASSWORD

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api").expect

BUDGET, CONVERSATION = "Keyboard test budget", "Keyboard test conversation"
PROJECTS = ["Drinking fountains", "Bike racks", "Library Sunday opening"]
STATEMENTS = ["The river path needs lights.", "Markets should close at 8.",
              "Every school needs a garden.", "Buses should run all night."]
KEYBOARD_USER, NO_SCRIPT_USER = "keyboard@example.org", "noscript@example.org"
# The focused element, marked so that a walk through the page can tell elements apart.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (!el.dataset.kb) el.dataset.kb = String(document.querySelectorAll('[data-kb]').length);
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  return {id: el.dataset.kb, tag: el.tagName, name: el.getAttribute('name') || '',
          text: (el.innerText || el.value || '').trim().slice(0, 60),
          focusVisible: el.matches(':focus-visible'),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
          shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
          onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0};
}"""
# Every element Tab should reach: focusable, enabled, rendered, not taken out by tabindex=-1.
TABBABLE = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
  .filter(el => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0
                && getComputedStyle(el).visibility !== 'hidden')
  .length"""


@pytest.fixture(scope="module")
def site(live):
    """(base URL, app on its database, {name: id}) with an approval budget in its voting
    phase, an open conversation and two confirmed users of this module's own."""
    from accounts.models import User
    from core.process import Audience, Commitment
    from deliberation.models import Conversation, ConversationPhase, Statement
    from pb.models import BudgetProcess, BudgetProject, Phase

    app = live.app
    with app.app_context():
        process = BudgetProcess(title=BUDGET, commitment=Commitment.BINDING,
                                audience=Audience.PUBLIC, currency="EUR")
        process.set_rules(budget=1_000_000, vote_type="approval")
        process.projects = [BudgetProject(project_id=str(n), name=name, cost=200_000)
                            for n, name in enumerate(PROJECTS, start=1)]
        db.session.add(process)
        process.move_to(Phase.VOTING, now=utcnow())
        conversation = Conversation(title=CONVERSATION, commitment=Commitment.ADVISORY,
                                    audience=Audience.PUBLIC, phase=ConversationPhase.OPEN,
                                    anonymous_allowed=True,
                                    statements=[Statement(text=t, moderation=1)
                                                for t in STATEMENTS])
        db.session.add(conversation)
        for email in (KEYBOARD_USER, NO_SCRIPT_USER):
            user = User(email=email, display_name=email.split("@")[0],
                        email_confirmed_at=utcnow())
            user.set_password(E2E_PASSWORD)
            db.session.add(user)
        db.session.commit()
        ids = {"budget": process.id, "conversation": conversation.id}
        db.session.remove()
    return live.url, app, ids


def stored_ballot(app, process_id: int, email: str) -> str | None:
    from accounts.models import User
    from pb.models import Ballot

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        vote = db.session.scalar(select(Ballot.vote).where(
            Ballot.process_id == process_id, Ballot.voter_key == f"u{user_id}"))
        db.session.remove()
    return vote


def stored_votes(app, conversation_id: int, email: str) -> dict[str, int]:
    from accounts.models import User
    from deliberation.models import Participant, Statement, Vote

    with app.app_context():
        rows = db.session.execute(
            select(Statement.text, Vote.value).join(Vote, Vote.statement_id == Statement.id)
            .join(Participant, Participant.id == Vote.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(Vote.conversation_id == conversation_id, User.email == email)).all()
        db.session.remove()
    return dict(rows)


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page) -> dict:
    element = focused(page)
    assert element is not None, "focus was lost to the page body"
    assert element["focusVisible"] and (element["outline"] or element["shadow"]), element
    assert element["onScreen"], element
    return element


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    return assert_focus_visible(page)


def tab_to(page, matches, *, key="Tab", limit=80) -> dict:
    """Press `key` until the focused element satisfies `matches`; every stop shows focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if element is None:  # past the last element: the browser's own UI, then the top
            continue
        assert_focus_visible(page)
        if matches(element):
            return element
    raise AssertionError(f"{key} never reached the element")


def named(text: str):
    return lambda element: element["text"] == text


def walk_the_whole_page(page) -> None:
    """Tab from the top until focus comes back round: every tabbable element is reached,
    each shows its focus, and no widget holds the focus (no trap)."""
    page.keyboard.press("Tab")
    first = assert_focus_visible(page)["id"]
    seen = [first]
    for _ in range(200):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is None:
            continue
        assert_focus_visible(page)
        if element["id"] == first:
            break
        assert element["id"] not in seen, f"focus went round without coming back: {element}"
        seen.append(element["id"])
    else:
        raise AssertionError("Tab never came back to the first element (a focus trap)")
    assert len(seen) == page.evaluate(TABBABLE)
    page.keyboard.press("Shift+Tab")  # and backwards out of the first element
    assert focused(page) is None or focused(page)["id"] != first


def log_in_by_keyboard(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    tab_to(page, lambda e: e["name"] == "email")
    page.keyboard.type(email)
    tab_to(page, lambda e: e["name"] == "password")
    page.keyboard.type(E2E_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url


def test_a_ballot_and_three_votes_by_keyboard_alone(page, site):
    base, app, ids = site
    log_in_by_keyboard(page, base, KEYBOARD_USER)

    page.goto(f"{base}/budgets/{ids['budget']}/ballot")
    walk_the_whole_page(page)
    page.reload()
    tab_to(page, lambda e: e["name"] == "project")  # a checkbox's text is its value
    assert press(page, "Space")["text"] == "1"
    assert press(page, "Tab")["text"] == "2"
    assert press(page, "Tab")["text"] == "3"
    assert press(page, "Shift+Tab")["text"] == "2"
    press(page, "Space")
    assert page.locator("input[name=project]:checked").count() == 2
    expect(page.locator("#pb-spent-text")).to_contain_text("€4,000.00")
    tab_to(page, named("Review my ballot"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    walk_the_whole_page(page)
    tab_to(page, named("Confirm my ballot"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your ballot is stored" in page.locator("main").inner_text()
    assert stored_ballot(app, ids["budget"], KEYBOARD_USER) == "1,2"

    page.goto(f"{base}/conversations/{ids['conversation']}")
    walk_the_whole_page(page)
    progress = page.locator("#vote-progress")
    expect(progress).to_have_text(f"0 of {len(STATEMENTS)} voted")
    shown = []
    tab_to(page, named("Agree"))
    for n, (keys, key) in enumerate(((["Tab"], "Enter"), (["Tab", "Tab"], "Space"),
                                     (["Tab", "Shift+Tab", "Tab"], "Enter")), start=1):
        shown.append(page.locator("#vote-statement").inner_text())
        for move in keys:
            press(page, move)
        page.keyboard.press(key)
        expect(progress).to_have_text(f"{n} of {len(STATEMENTS)} voted")
        assert_focus_visible(page)  # the script hands focus back to the first answer
    assert stored_votes(app, ids["conversation"], KEYBOARD_USER) == {
        shown[0]: -1, shown[1]: 0, shown[2]: -1}
    walk_the_whole_page(page)


def test_the_same_ballot_and_votes_without_javascript(browse, site):
    base, app, ids = site
    # Screenshotted on failure; not audited: axe is a script, and its run never settles with
    # JavaScript off (these pages are audited with scripts on by the stories).
    page = browse("desktop", audit=False, java_script_enabled=False)
    page.goto(base + "/login")
    page.get_by_label("Email").fill(NO_SCRIPT_USER)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(f"{base}/budgets/{ids['budget']}/ballot")
    page.get_by_label(PROJECTS[0]).check()
    page.get_by_label(PROJECTS[2]).check()
    page.get_by_role("button", name="Review my ballot").click()
    assert PROJECTS[2] in page.locator("table").inner_text()
    page.get_by_role("button", name="Confirm my ballot").click()
    assert "Your ballot is stored" in page.locator("main").inner_text()
    assert stored_ballot(app, ids["budget"], NO_SCRIPT_USER) == "1,3"

    page.goto(f"{base}/conversations/{ids['conversation']}")
    shown = []
    for n, button in enumerate(("Agree", "Disagree", "Pass / unsure"), start=1):
        shown.append(page.locator("#vote-statement").inner_text())
        with page.expect_navigation():  # no script: the form posts, the server answers
            page.locator("#vote-form").get_by_role("button", name=button, exact=True).click()
        assert page.locator("#vote-progress").inner_text() == (
            f"{n} of {len(STATEMENTS)} voted")
    assert stored_votes(app, ids["conversation"], NO_SCRIPT_USER) == {
        shown[0]: 1, shown[1]: -1, shown[2]: 0}

