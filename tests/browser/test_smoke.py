"""A visitor opens the home page, logs in and switches to Traditional Chinese, in chromium."""
from __future__ import annotations

import pytest

from tests.browser.helpers import E2E_EMAIL, E2E_PASSWORD, violations

# The first test also starts the server and chromium (session fixtures).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def test_open_home_log_in_and_switch_language(page, live_server):
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Take part"
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(E2E_EMAIL)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/")
    assert "Welcome, Browser Tester." in page.locator(".flashes").inner_text()
    assert page.get_by_role("link", name="Your account").is_visible()

    page.get_by_role("button", name="繁體中文").click()
    page.wait_for_function("document.documentElement.lang === 'zh-Hant'")
    assert page.locator("h1").inner_text() == "參與"
    assert page.get_by_role("button", name="登出").is_visible()

    # The skip link is the first thing a keyboard user reaches, and it is visible then.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    # The pick is kept on the shared test account: pick English again for the next tests.
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")


# (The stories in test_story_*.py audit every page they visit, with every rule.)
@pytest.mark.parametrize("path", ["/forgot-password", "/budgets/1", "/conversations/",
                                  "/no-such-page"])
def test_no_accessibility_violations(page, live_server, path):
    page.goto(live_server + path)
    assert violations(page) == []


def test_account_page_and_form_errors_are_accessible(page, live_server):
    page.goto(live_server + "/register")
    page.get_by_role("button", name="Create account").click()  # empty form: errors shown
    assert page.locator(".error").count() == 3
    assert violations(page) == []

    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(E2E_EMAIL)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server + "/account")
    assert page.locator("h1").inner_text() == "Your account"
    assert violations(page) == []
