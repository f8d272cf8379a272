"""English / 繁體中文: the language switch, Accept-Language, and a complete catalogue."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
# Strings from these files are the foundation's; other packages' strings are merged later.
FOUNDATION_FILES = ("app.py", "core/", "accounts/", "pb/web.py", "pb/models.py",
                    "deliberation/web.py", "templates/base.html", "templates/macros.html",
                    "templates/home.html", "templates/accounts/", "templates/admin/",
                    "templates/errors/", "templates/pb/", "templates/deliberation/")


def test_english_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Take part" in html


def test_the_language_switch_remembers_traditional_chinese(client):
    response = client.post("/language", data={"lang": "zh_Hant", "next": "/budgets/"})
    assert response.status_code == 302 and response.headers["Location"] == "/budgets/"
    assert "lang=zh_Hant" in response.headers["Set-Cookie"]
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html and "參與" in html and "跳到主要內容" in html
    client.post("/language", data={"lang": "en"})
    assert "Take part" in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused_and_a_foreign_next_ignored(client):
    response = client.post("/language", data={"lang": "xx", "next": "/budgets/"})
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Set-Cookie", "")
    response = client.post("/language", data={"lang": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("header", ["zh-TW,zh;q=0.9", "zh-Hant", "zh-HK"])
def test_accept_language_picks_traditional_chinese(client, header):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert "登入" in html


def test_error_pages_and_emails_are_translated(client, outbox):
    client.set_cookie("lang", "zh_Hant")
    assert "找不到頁面" in client.get("/nowhere").get_data(as_text=True)
    client.post("/register", data={"display_name": "美玲", "email": "mei@example.org",
                                   "password": "一段足夠長的密碼句子喔喔喔"})
    [email] = outbox()
    assert email.subject == "確認您的電子郵件地址" and "美玲 您好" in email.body


def test_every_foundation_string_has_a_traditional_chinese_translation():
    with (ROOT / "translations/zh_Hant/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    ours = [m for m in catalog if m.id and any(loc.startswith(FOUNDATION_FILES)
                                                for loc, _line in m.locations)]
    assert len(ours) > 100
    missing = [m.id for m in ours
               if not (m.string if isinstance(m.string, str) else all(m.string))
               or m.fuzzy]
    assert missing == []
