"""繁體中文 stays complete: every string in the source is in the catalogue, translated.

When a test here fails after you add or change a user-facing string: run
`make translations-update`, translate the new entries in
translations/zh_Hant/LC_MESSAGES/messages.po (keep every %(name)s placeholder), and remove
the `#, fuzzy` flags once the text is right.
"""
from __future__ import annotations

import os
import re
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from core.db import db, utcnow
from core.process import Audience, Commitment
from petitions import moderation
from tests.petitions.helpers import open_petition, sign_and_confirm

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "translations/zh_Hant/LC_MESSAGES/messages.po"
# A %-format token: %(name)s / %(n)d, or a literal %% (newstyle Jinja gettext always formats).
FORMAT_TOKEN = re.compile(r"%\(\w+\)[sdif]|%%")


def _read(path: Path):
    with path.open("rb") as po_file:
        return read_po(po_file)


@pytest.fixture(scope="module")
def catalog():
    return _read(PO_PATH)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    entries = [m for m in catalog if m.id]
    assert len(entries) > 300
    untranslated = [m.id for m in entries if not all(_strings(m))]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert [m.id for m in entries if m.pluralizable and len(_strings(m)) != 1] == []


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalog):
    broken = []
    for message in catalog:
        if not message.id:
            continue
        expected = {t for msgid in _ids(message) for t in FORMAT_TOKEN.findall(msgid)}
        for string in _strings(message):
            stray = FORMAT_TOKEN.sub("", string).count("%")
            if set(FORMAT_TOKEN.findall(string)) != expected or stray:
                broken.append((message.id, string))
    assert broken == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def _extract_options() -> list[str]:
    """The `pybabel extract` options of `make translations-update`, so both stay in step."""
    makefile = (ROOT / "Makefile").read_text()
    command = re.search(r"pybabel extract (.*?) -o ", makefile.replace("\\\n", " "), re.S)
    assert command, "the Makefile's translations-update no longer runs `pybabel extract`"
    return shlex.split(command.group(1))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A fresh extraction, like `make translations-update` does (about 0.3 s)."""
    pot_path = tmp_path_factory.mktemp("pot") / "messages.pot"
    here = Path.cwd()
    os.chdir(ROOT)  # babel.cfg's patterns are relative to the input directory
    try:
        CommandLineInterface().run(["pybabel", "--quiet", "extract", *_extract_options(),
                                    "-o", str(pot_path), "."])
    finally:
        os.chdir(here)
    return [m for m in _read(pot_path) if m.id]


def test_every_string_in_the_source_is_in_the_catalogue(catalog, extracted):
    """A new string must be merged and translated before CI passes."""
    assert len(extracted) > 300
    missing = []
    for message in extracted:
        ours = catalog.get(message.id, message.context)
        if ours is None or _ids(ours) != _ids(message):
            missing.append((message.id, [loc for loc, _line in message.locations]))
    assert missing == []


def _visible_text(html: str) -> str:
    """The page's text without tags and attributes (option values and URLs stay English)."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def test_the_petitions_pages_speak_traditional_chinese(app, client, make_user):
    now = utcnow()
    people = {"creator": make_user(name="陳小明"),
              "moderator": make_user(roles=("moderator",), name="林審核")}
    scheme = moderation.save_scheme(
        None, actor=make_user(roles=("admin",)), now=now, title="臺北市請願",
        authority="臺北市政府",
        description="", commitment=Commitment.ADVISORY, moderation_sla_days=14,
        area_kind="none", area_choices="", eligibility_text="", sponsor_count=2,
        visibility_threshold=0, response_threshold=100, window_days=30, debate_threshold=None,
        response_due_days=60)
    petition = open_petition(scheme, people, title="修補中山路的坑洞",
                             action="今年內修好中山路上的每一個坑洞。", now=now)
    sign_and_confirm(petition.id, "signer@example.org", now=now + timedelta(minutes=1))
    # 4 signatures (creator, 2 sponsors, 1 signer); opened an hour from `now`, so 31 days left.

    response = client.post("/language", data={"lang": "zh_Hant", "next": "/petitions/"})
    assert response.headers["Location"] == "/petitions/"
    html = client.get("/petitions/").get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html
    for text in ("發起請願", "排序方式", "1 件請願", "修補中山路的坑洞", "開放中", "4 份連署",
                 "尚未需要回應", "剩餘 31 天", "僅供參考"):
        assert text in html, text
    text = _visible_text(html)
    for english in ("Start a petition", "Sort by", "signature", "days left", "advisory"):
        assert english not in text, english

    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    for text in ("僅供參考：主管機關將其作為決策參考", "連署此請願", "回應門檻", "4 / 100 份連署",
                 "我符合連署此請願的資格"):
        assert text in html, text
    assert not re.search(r"sign|petition|threshold", _visible_text(html), re.I)


def test_the_catalogue_holds_no_stale_entry(catalog, extracted):
    """Every msgid of the catalogue is still in the templates or code, and no obsolete `#~`
    entry lingers: a reworded string must not leave its old translation behind (remove it, or
    run `make translations-update`, which keeps it as `#~`, then delete the `#~` lines)."""
    current = {(_ids(m), m.context) for m in extracted}
    stale = [m.id for m in catalog if m.id and (_ids(m), m.context) not in current]
    assert stale == []
    assert list(catalog.obsolete) == []


# English that stays English in Chinese pages: names of formats, files, columns and standards.
KEPT_IN_ENGLISH = {"English", "JSON", "json", "CSV", "csv", "zip", "math", "UTC", "ISO", "IP",
                   "Polis", "Polis openData", "UMAP", "Phragm",  # Phragmén, split at the é
                   "comments", "participants", "summary", "votes",  # Polis export file names
                   "vote", "points", "sheet"}  # paper-ballot CSV columns


def test_every_page_of_every_role_is_chinese_when_chinese_is_picked(app, client, make_user,
                                                                   login_as):
    """Budgets, conversations, petitions, account and admin pages, public and staff, in
    zh_Hant with Chinese content: no English word is left in the visible text, nor in the
    labels, placeholders and titles that screen readers and tooltips speak."""
    from deliberation.models import Conversation, ConversationPhase, Statement
    from pb.models import BudgetProcess, BudgetProject, Phase

    process = BudgetProcess(title="臺北市參與式預算", description="明年的預算",
                            commitment=Commitment.BINDING, audience=Audience.PUBLIC,
                            currency="TWD")
    process.set_rules(budget=10_000_000, vote_type="knapsack")
    process.projects = [BudgetProject(project_id="1", name="公園遮陽棚", cost=3_000_000,
                                      category="綠地", description="在遊戲場加裝遮陽棚")]
    conversation = Conversation(title="我們的城市", description="一起討論",
                                commitment=Commitment.ADVISORY, audience=Audience.PUBLIC,
                                phase=ConversationPhase.OPEN, anonymous_allowed=True,
                                statements=[Statement(text="更多公園", moderation=1)])
    db.session.add_all([process, conversation])
    process.move_to(Phase.VOTING, now=utcnow())
    db.session.commit()
    login_as(client, make_user(name="小明", roles=("official", "moderator", "facilitator",
                                                   "admin")))
    client.post("/language", data={"lang": "zh_Hant"})
    budget, talk = f"/budgets/{process.id}", f"/conversations/{conversation.id}"
    paths = ["/", "/login", "/forgot-password", "/account", "/admin/", "/admin/users",
             "/budgets/", budget, f"{budget}/ballot", "/budgets/receipt", f"{budget}/manage",
             f"{budget}/edit", "/budgets/new", "/conversations/", talk, f"{talk}/write",
             f"{talk}/map", f"{talk}/report", f"{talk}/edit", f"{talk}/moderation",
             "/conversations/new", "/conversations/import", "/petitions/", "/petitions/new",
             "/petitions/moderation", "/petitions/officials", "/petitions/schemes",
             "/petitions/schemes/new", "/nowhere"]
    english = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        html = response.get_data(as_text=True)
        assert '<html lang="zh-Hant">' in html, path
        spoken = re.findall(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', html)
        text = re.sub(r"\S+@\S+", " ",  # email addresses are data
                      " ".join([_visible_text(html), *spoken]))
        words = set(re.findall(r"[A-Za-z][A-Za-z'’]+(?:\s+[A-Za-z][A-Za-z'’]+)*",
                               text)) - KEPT_IN_ENGLISH
        if words:
            english[path] = sorted(words)
    assert english == {}
