"""Helpers shared by the browser tests: accounts, devices, the accessibility audit that runs on
every page a story visits, and reading the outbox."""
from __future__ import annotations

import re

import pytest

E2E_EMAIL, E2E_PASSWORD = "e2e@example.org", "browser test passphrase"
STAFF_PASSWORD = "staff browser passphrase"  # demo official@, moderator@, facilitator@, admin@

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Every story runs on both: a laptop and a 390 x 844 phone (iPhone 12-14 size, touch).
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

# All WCAG 2.0/2.1/2.2 A and AA rules plus axe's best practices; every impact counts.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def axe_results(page):
    """axe-core's results for the page as it is now (all AXE_TAGS rules)."""
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()
    if not page.evaluate("typeof window.axe === 'object'"):  # once per document
        page.evaluate(axe.axe_script)
    response = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return axe_module.AxeResults(response)


def violations(page) -> list[str]:
    """One line per axe violation of any impact: 'rule (impact): target, ...'."""
    results = axe_results(page)
    return [f"{v['id']} ({v.get('impact')}) on {page.url}: "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in results.response["violations"]]


class Audit:
    """axe on every document a page shows. Tests call `audit(page)` after each navigation or
    significant change a script makes; `finish()` (run by the `browse` fixture) audits the
    last document and reports every document that loaded but was never audited, so a story
    cannot skip a page. Findings are collected in `found`; the fixture fails the test on any.

    (Auditing from a `load` listener or a route handler races with the test's next step in
    Playwright's sync API, hence the explicit calls.)"""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        self.loaded: list[str] = []
        self.audited: set[float] = set()
        page.on("load", lambda loaded: self.loaded.append(loaded.url))

    def check(self) -> None:
        if not self.page.url.startswith("http"):
            return
        self.page.wait_for_load_state()
        self.found.extend(violations(self.page))
        self.audited.add(self.page.evaluate("performance.timeOrigin"))

    def finish(self) -> list[str]:
        if not self.page.is_closed():
            self.check()
        loaded = [url for url in self.loaded if url.startswith("http")]
        if len(self.audited) < len(loaded):
            self.found.append(f"{len(loaded) - len(self.audited)} of these documents were "
                              f"never audited (call audit(page)): {loaded}")
        return self.found


def audit(page) -> None:
    """Run axe on `page` now if it is audited (see `browse`); violations fail the test."""
    if getattr(page, "axe_audit", None) is not None:
        page.axe_audit.check()


def outbox(app, to: str) -> list[str]:
    """Bodies of the emails sent to `to`, oldest first."""
    from sqlalchemy import select

    from core.db import db
    from core.mail import OutboxEmail

    with app.app_context():
        bodies = db.session.scalars(select(OutboxEmail.body).where(OutboxEmail.to == to)
                                    .order_by(OutboxEmail.id)).all()
        db.session.remove()
    return list(bodies)


def emailed_link(app, to: str, path_pattern: str) -> str:
    """The last link matching `path_pattern` (a regex on the path) emailed to `to`."""
    for body in reversed(outbox(app, to)):
        found = re.search(rf"https?://[^\s/]+{path_pattern}\S*", body)
        if found:
            return found.group(0)
    raise AssertionError(f"no email to {to} links to {path_pattern}")


def log_in(page, base: str, email: str = E2E_EMAIL, password: str = E2E_PASSWORD) -> None:
    page.goto(base + "/login")
    audit(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
