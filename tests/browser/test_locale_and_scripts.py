"""Traditional Chinese and user content in any script, as chromium draws them: the language
follows the browser until the person picks one, then their account; Chinese and emoji are
drawn with real glyphs (not "tofu" boxes: fonts-noto-cjk and fonts-noto-color-emoji, `make
system-deps`); Arabic and Hebrew run right to left inside an English page."""
from __future__ import annotations

import pytest

from core.db import db, utcnow
from tests.browser.helpers import E2E_PASSWORD

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api").expect

LANGUAGE_USER = "language@example.org"
PROJECTS = {"chinese": "中山公園的遮陽棚", "arabic": "مكتبة الحي", "hebrew": "מקלט לחתולים",
            "emoji": "Bike racks 🚲 for 👨‍👩‍👧 families 🇹🇼", "english": "Skate park"}
# Draws two characters in `font` on canvases; a missing font draws the same .notdef box for
# both (no difference), a real one two different glyphs.
GLYPHS_DIFFER = """([first, second, font]) => {
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 80; canvas.height = 80;
    const context = canvas.getContext('2d');
    context.font = font; context.textBaseline = 'top'; context.fillStyle = '#000';
    context.fillText(text, 8, 8);
    return context.getImageData(0, 0, 80, 80).data;
  };
  const a = draw(first), b = draw(second);
  let ink = 0, differ = 0;
  for (let i = 3; i < a.length; i += 4) { if (a[i]) ink++; if (a[i] !== b[i]) differ++; }
  return {ink, differ};
}"""
PAGE_FONT = "el => `${getComputedStyle(el).fontWeight} 48px ${getComputedStyle(el).fontFamily}`"


@pytest.fixture(scope="module")
def site(live):
    """(base URL, app, budget id): a budget whose projects are named in five scripts, and a
    confirmed user of this module's own."""
    from accounts.models import User
    from core.process import Audience, Commitment
    from pb.models import BudgetProcess, BudgetProject, Phase

    app = live.app
    with app.app_context():
        process = BudgetProcess(title="Budget in every script", commitment=Commitment.BINDING,
                                audience=Audience.PUBLIC, currency="TWD")
        process.set_rules(budget=10_000_000, vote_type="approval")
        process.projects = [BudgetProject(project_id=str(n), name=name, cost=1_000_000)
                            for n, name in enumerate(PROJECTS.values(), start=1)]
        db.session.add(process)
        process.move_to(Phase.VOTING, now=utcnow())
        user = User(email=LANGUAGE_USER, display_name="語言", email_confirmed_at=utcnow())
        user.set_password(E2E_PASSWORD)
        db.session.add(user)
        db.session.commit()
        process_id = process.id
        db.session.remove()
    return live.url, app, process_id


def not_tofu(page, element, first: str, second: str) -> bool:
    drawn = page.evaluate(GLYPHS_DIFFER, [first, second, element.evaluate(PAGE_FONT)])
    return drawn["ink"] > 0 and drawn["differ"] > 0


def log_in(page, base):
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(LANGUAGE_USER)
    page.locator("input[name=password]").fill(E2E_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_taiwan_gets_chinese_with_real_glyphs_until_the_person_picks_a_language(chromium,
                                                                               site):
    base, app, _process_id = site
    taiwan = chromium.new_context(locale="zh-TW")  # sends Accept-Language: zh-TW
    try:
        page = taiwan.new_page()
        page.goto(base + "/login")
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        heading = page.locator("h1")
        assert heading.inner_text() == "登入"
        assert not_tofu(page, heading, "登", "入")
        # The check itself: two unassigned code points draw the same box, so they are tofu.
        assert not not_tofu(page, heading, "\u0378", "\u0379")
        page.get_by_role("button", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"
        page.goto(base + "/budgets/")
        assert page.locator("html").get_attribute("lang") == "en"  # the pick is kept
        log_in(page, base)
        page.get_by_role("button", name="繁體中文").click()  # now on the account too
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
    finally:
        taiwan.close()
    london = chromium.new_context(locale="en-GB")  # another device, an English browser
    try:
        page = london.new_page()
        log_in(page, base)
        page.goto(base + "/budgets/")
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        assert "預算" in page.locator("h1").inner_text()
    finally:
        london.close()


def test_projects_in_five_scripts_render_with_their_direction_and_glyphs(page, site):
    base, _app, process_id = site
    page.goto(f"{base}/budgets/{process_id}")
    headings = {key: page.locator("h3", has_text=name) for key, name in PROJECTS.items()}
    for key, name in PROJECTS.items():
        assert headings[key].inner_text() == name, key  # stored and served exactly
    direction = "el => getComputedStyle(el).direction"
    assert headings["arabic"].evaluate(direction) == "rtl"
    assert headings["hebrew"].evaluate(direction) == "rtl"
    assert headings["english"].evaluate(direction) == "ltr"
    assert headings["chinese"].evaluate(direction) == "ltr"
    # Right to left: the Arabic text's first letter is drawn at the right end of its line.
    assert headings["arabic"].evaluate("""el => {
      const range = document.createRange(); range.setStart(el.firstChild, 0);
      range.setEnd(el.firstChild, 1);
      return range.getBoundingClientRect().left > el.getBoundingClientRect().left
             + el.getBoundingClientRect().width / 2; }""")
    assert not_tofu(page, headings["chinese"], "遮", "陽")
    assert not_tofu(page, headings["emoji"], "🚲", "👍")
    assert not_tofu(page, headings["hebrew"], "מ", "ק")
    assert not_tofu(page, headings["arabic"], "م", "ك")
