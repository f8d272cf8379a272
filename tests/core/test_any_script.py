"""User content in any script: Chinese, Arabic, Hebrew and emoji are stored exactly, shown
with their own direction (`dir="auto"`, so Arabic reads right to left inside an English page)
and found by search and by the near-duplicate suggestions."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from core.db import db, utcnow
from core.process import Audience, Commitment
from petitions import moderation
from petitions.models import Petition
from tests.deliberation.web_helpers import open_conversation
from tests.petitions.helpers import open_petition

CHINESE = ("修補中山路的坑洞", "今年內修好中山路上的每一個坑洞，讓機車騎士安全通行。")
ARABIC = ("حديقة جديدة في الحي", "نطالب البلدية ببناء حديقة عامة للأطفال في حي الزيتون.")
HEBREW = ("שבילי אופניים ברחוב הרצל", "אנו מבקשים מהעירייה לסמן שבילי אופניים בטוחים.")
# A family (zero-width joiners), a flag (regional indicators), a skin tone, a variation selector.
EMOJI = "Bike lanes 🚲 for every 👨‍👩‍👧 family 🇹🇼 👍🏽 ❤️"


def _element_around(html: str, text: str) -> str:
    """The opening tag of the innermost element whose text is exactly `text`."""
    match = re.search(r"<(\w+)([^<>]*)>\s*" + re.escape(text) + r"\s*</\1>", unescape(html))
    assert match, f"{text!r} is not an element's whole text"
    return match.group(0)


def _isolated(html: str, text: str) -> bool:
    """`text` sits in an element that takes its direction from its own content: `dir="auto"`,
    or <bdi>, whose direction is auto by default (HTML §4.5.24)."""
    tag = _element_around(html, text)
    return 'dir="auto"' in tag or tag.startswith("<bdi")


@pytest.fixture
def petitions(app, make_user):
    now = utcnow()
    people = {"creator": make_user(), "moderator": make_user(roles=("moderator",))}
    scheme = moderation.save_scheme(
        None, actor=make_user(roles=("admin",)), now=now, title="City petitions",
        authority="City council", description="", commitment=Commitment.ADVISORY,
        moderation_sla_days=14, area_kind="none", area_choices="", eligibility_text="",
        sponsor_count=2, visibility_threshold=0, response_threshold=100, window_days=30,
        debate_threshold=None, response_due_days=60)
    made = {}
    for name, (title, action) in {"chinese": CHINESE, "arabic": ARABIC,
                                  "hebrew": HEBREW}.items():
        made[name] = open_petition(scheme, people, title=title, action=action, now=now).id
    made["english"] = open_petition(scheme, people, now=now).id
    return made


def _titles(client, query: str) -> list[str]:
    html = client.get("/petitions/", query_string={"q": query}).get_data(as_text=True)
    return [unescape(t) for t in re.findall(r'<bdi>([^<]*)</bdi></a></h2>', html)]


def test_petition_search_finds_each_script_by_a_part_of_it(client, petitions):
    assert _titles(client, "中山路") == [CHINESE[0]]  # unsegmented Chinese: a substring
    assert _titles(client, "坑洞") == [CHINESE[0]]
    assert _titles(client, "حديقة") == [ARABIC[0]]
    assert _titles(client, "הרצל") == [HEBREW[0]]
    assert _titles(client, "الزيتون") == [ARABIC[0]]  # a word of the action
    assert _titles(client, "伍佰") == []


def test_similar_petitions_in_chinese_and_arabic(client, petitions):
    hits = client.get("/petitions/similar.json",
                      query_string={"q": "請修好中山路上的坑洞"}).get_json()
    assert [h["title"] for h in hits][:1] == [CHINESE[0]]
    hits = client.get("/petitions/similar.json",
                      query_string={"q": "حديقة عامة للأطفال"}).get_json()
    assert [h["title"] for h in hits][:1] == [ARABIC[0]]


def test_petition_text_in_any_script_gets_its_own_direction(client, petitions):
    listing = client.get("/petitions/").get_data(as_text=True)
    for title in (CHINESE[0], ARABIC[0], HEBREW[0]):
        assert _isolated(listing, title), title
    page = client.get(f"/petitions/{petitions['arabic']}").get_data(as_text=True)
    assert _isolated(page, ARABIC[0]) and _isolated(page, ARABIC[1])
    assert '<html lang="en">' in page  # the page stays English, left to right


def test_an_emoji_title_survives_the_form_storage_page_and_open_data(app, client, make_user,
                                                                     login_as, petitions):
    scheme_id = db.session.get(Petition, petitions["english"]).scheme_id
    login_as(client, make_user())
    response = client.post("/petitions/new", data={
        "scheme_id": scheme_id, "title": EMOJI, "action": "Paint them 🎨 green 💚",
        "create": "1"})
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition).where(Petition.title == EMOJI))
    assert petition.action == "Paint them 🎨 green 💚"
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert _isolated(page, EMOJI)


def test_projects_in_any_script_are_shown_with_dir_auto_and_suggested(app, client,
                                                                      make_user, login_as):
    from pb.models import BudgetProcess, BudgetProject, Phase

    process = BudgetProcess(title="全市參與式預算", commitment=Commitment.BINDING,
                            audience=Audience.PUBLIC, currency="TWD")
    process.set_rules(budget=10_000_000, vote_type="approval")
    process.projects = [
        BudgetProject(project_id="1", name="中山公園的遮陽棚", cost=3_000_000,
                      description="在兒童遊戲場加裝遮陽棚。"),
        BudgetProject(project_id="2", name="מקלט לחתולים", cost=2_000_000,
                      description="מקלט חדש לחתולי רחוב."),
        BudgetProject(project_id="3", name="مكتبة الحي 📚", cost=1_000_000,
                      description="مكتبة صغيرة مفتوحة للجميع.")]
    db.session.add(process)
    process.move_to(Phase.PROPOSALS, now=utcnow())
    db.session.commit()
    page = client.get(f"/budgets/{process.id}").get_data(as_text=True)
    for text in ("中山公園的遮陽棚", "מקלט לחתולים", "مكتبة الحي 📚", "مكتبة صغيرة مفتوحة للجميع."):
        assert _isolated(page, text), text
    from pb import service

    assert [p.name for p, _ in service.similar_proposals(process, "中山公園遮陽棚")] == [
        "中山公園的遮陽棚"]
    assert [p.name for p, _ in service.similar_proposals(process, "مكتبة مفتوحة")] == [
        "مكتبة الحي 📚"]


def test_statements_in_any_script_are_isolated_and_suggested(app, client, make_user,
                                                              login_as):
    texts = ["公車應該延長營運到午夜", "يجب أن تكون الحافلات مجانية للطلاب", "🚌 more buses 🚌"]
    conversation = open_conversation(texts=texts)
    login_as(client, make_user())
    for _ in texts:  # vote on each: the list of your votes shows every text
        page = client.get(f"/conversations/{conversation.id}").get_data(as_text=True)
        shown = re.search(r'name="statement_id" id="vote-statement-id" value="(\d+)"', page)
        assert _isolated(page, unescape(re.search(
            r'id="vote-statement" class="statement-text">([^<]*)<', page).group(1)))
        client.post(f"/conversations/{conversation.id}/vote",
                    data={"statement_id": shown.group(1), "vote": "agree"})
    page = client.get(f"/conversations/{conversation.id}").get_data(as_text=True)
    for text in texts:
        assert _isolated(page, text), text
    from deliberation import queries

    assert [s.text for s in queries.similar_statements(conversation, "公車營運到午夜")] == [
        texts[0]]
    assert [s.text for s in queries.similar_statements(
        conversation, "الحافلات مجانية")] == [texts[1]]


def test_process_and_conversation_titles_are_isolated_on_every_page(app, client, make_user,
                                                                    login_as):
    """The title a page names its budget or conversation by (header links, headings) takes
    its own direction: an Arabic title on the ballot, receipt, results, proposal and manage
    pages; a Hebrew one on the write, moderation, report and opinion-map pages."""
    from pb.models import Ballot, BudgetProcess, BudgetProject, Phase

    title = ARABIC[0]
    process = BudgetProcess(title=title, commitment=Commitment.BINDING,
                            audience=Audience.PUBLIC, currency="TWD")
    process.set_rules(budget=10_000_000, vote_type="approval")
    process.projects = [BudgetProject(project_id="1", name="حديقة", cost=3_000_000)]
    db.session.add(process)
    process.move_to(Phase.VOTING, now=utcnow())
    db.session.flush()
    db.session.add(Ballot(process_id=process.id, voter_key="import:1", vote="1",
                          receipt="ABCD-EFGH-JKLM", cast_at=utcnow(), updated_at=utcnow()))
    db.session.commit()
    conversation = open_conversation()
    conversation.title = HEBREW[0]
    db.session.commit()

    login_as(client, make_user(roles=("official", "moderator")))
    pages = {f"/budgets/{process.id}/{page}": title
             for page in ("ballot", "results", "manage", "proposals/new")}
    pages["/budgets/receipt/ABCD-EFGH-JKLM"] = title
    pages.update({f"/conversations/{conversation.id}/{page}": HEBREW[0]
                  for page in ("write", "moderation", "report", "map")})
    responses = {path: client.get(path) for path in pages}
    assert {path: r.status_code for path, r in responses.items()} == dict.fromkeys(pages, 200)
    assert [path for path, r in responses.items()
            if not _isolated(r.get_data(as_text=True), pages[path])] == []
