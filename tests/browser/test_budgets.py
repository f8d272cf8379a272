"""Budgets in chromium: a knapsack ballot with JavaScript switched off (progressive
enhancement: the server does all the checking), budget pages under axe. The ballot with the
live budget bar is part of the story in test_story_budgets.py."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from tests.browser.helpers import CHROMIUM_ARGS, E2E_EMAIL, E2E_PASSWORD, violations  # noqa: F401

pytestmark = pytest.mark.e2e
TITLE = "Knapsack test budget"


@pytest.fixture(scope="module")
def knapsack(live):
    """(base URL, id) of a knapsack process in its voting phase on the live server's DB."""
    from core.process import Audience, Commitment
    from pb.models import BudgetProcess, BudgetProject, Phase

    with live.app.app_context():
        process = db.session.scalar(select(BudgetProcess).where(BudgetProcess.title == TITLE))
        if process is None:
            process = BudgetProcess(title=TITLE, commitment=Commitment.BINDING,
                                    audience=Audience.PUBLIC, currency="EUR")
            process.set_rules(budget=1_000_000, vote_type="knapsack")
            process.projects = [
                BudgetProject(project_id="1", name="Trees on Oak Road", cost=600_000,
                              category="green"),
                BudgetProject(project_id="2", name="Skate park", cost=500_000,
                              category="sport"),
                BudgetProject(project_id="3", name="Book swap boxes", cost=100_000,
                              category="culture")]
            db.session.add(process)
            process.move_to(Phase.VOTING, now=utcnow())
            db.session.commit()
        process_id = process.id
        db.session.remove()
    return live.url, process_id


def log_in(page, base):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(E2E_EMAIL)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def test_the_same_ballot_without_javascript(browse, knapsack):
    base, process_id = knapsack
    # Screenshotted on failure; not audited: axe cannot run with JavaScript off.
    page = browse("desktop", audit=False, java_script_enabled=False)
    log_in(page, base)
    page.goto(f"{base}/budgets/{process_id}/ballot")
    assert page.locator("#pb-filter").is_hidden()  # the filter needs JavaScript
    page.get_by_label("Trees on Oak Road").check()
    page.get_by_label("Skate park").check()
    # no script: the bar stays as the server drew it, the server refuses the ballot
    assert page.locator("#pb-bar").get_attribute("value") == "0"
    page.get_by_role("button", name="Review my ballot").click()
    assert "more than the budget" in page.locator("#ballot-errors").inner_text()
    assert page.locator("#pb-bar").get_attribute("value") == "1100000"
    page.get_by_label("Skate park").uncheck()
    page.get_by_role("button", name="Review my ballot").click()
    assert "Trees on Oak Road" in page.locator("table").inner_text()
    page.get_by_role("button", name="Confirm my ballot").click()
    assert "Your ballot is stored" in page.locator("main").inner_text()


@pytest.mark.parametrize("path", ["/budgets/1/ballot", "/budgets/3", "/budgets/3/results"])
def test_budget_pages_have_no_accessibility_violations(page, live_server, path):
    log_in(page, live_server)
    page.goto(live_server + path)
    assert violations(page) == []
