"""In chromium: the opinion map and the budget results charts draw under our Content
Security Policy (default-src 'self', no 'unsafe-inline') without a single CSP violation or
console error (issue 12: plotly from the installed package, CSP-safe)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api")


def _watch(page) -> list[str]:
    """Collect console errors, page errors and CSP violation reports of `page`."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 else None)
    page.add_init_script("""document.addEventListener("securitypolicyviolation", e =>
        console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI + " "
                      + (e.sample || "")));""")
    return problems


@pytest.mark.parametrize(("path", "chart"), [
    ("/conversations/1/map", "#opinion-map"),
    ("/budgets/3/results", "#pb-chart-covered"),
])
def test_charts_draw_without_csp_violations_or_console_errors(page, live_server, path, chart):
    problems = _watch(page)
    response = page.goto(live_server + path)
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page.wait_for_selector(f"{chart} .main-svg")
    assert page.locator(f"{chart} .main-svg").count() >= 1
    page.locator(chart).hover()  # hover labels and the mode bar styles are set too
    page.wait_for_timeout(300)
    assert problems == [], "\n".join(problems)
