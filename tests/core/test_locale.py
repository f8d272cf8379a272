"""The reader's language: Accept-Language until the person picks one, then the pick is kept
(on the account, or in a cookie when anonymous); dates, numbers and money in that locale."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from accounts.models import User
from core.db import db, utcnow
from core.process import Audience, Commitment
from petitions import moderation
from tests.petitions.helpers import open_petition, sign_and_confirm

TAIWAN = {"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"}


def _language(user_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(User.language).where(User.id == user_id))


def _says_chinese(client, **kwargs) -> bool:
    html = client.get("/login", **kwargs).get_data(as_text=True)
    return '<html lang="zh-Hant">' in html


def test_an_anonymous_visitor_follows_accept_language_until_picking_one(client):
    assert _says_chinese(client, headers=TAIWAN)
    assert not _says_chinese(client)
    assert client.post("/language", data={"lang": "en"}).status_code == 302
    assert not _says_chinese(client, headers=TAIWAN)  # the cookie outranks the browser
    client.post("/language", data={"lang": "zh_Hant"})
    assert _says_chinese(client, headers={"Accept-Language": "en-GB"})


def test_a_picked_language_is_kept_on_the_account_for_every_device(app, make_user, login_as):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login_as(laptop, user)
    assert _language(user.id) is None
    assert _says_chinese(laptop, headers=TAIWAN)  # nothing picked: the browser decides
    laptop.post("/language", data={"lang": "en"})
    assert _language(user.id) == "en"
    login_as(phone, user)  # another device: no cookie, a Taiwanese browser
    assert not _says_chinese(phone, headers=TAIWAN)
    phone.post("/language", data={"lang": "zh_Hant"})
    assert _language(user.id) == "zh_Hant"
    laptop.delete_cookie("lang")
    assert _says_chinese(laptop, headers={"Accept-Language": "en-GB"})


def test_a_language_picked_before_logging_in_becomes_the_accounts(app, make_user):
    user = make_user(email="mei@example.org", password="a long enough passphrase")
    before, elsewhere = app.test_client(), app.test_client()
    before.post("/language", data={"lang": "zh_Hant"})
    assert before.post("/login", data={"email": "mei@example.org",
                                       "password": "a long enough passphrase"}
                       ).status_code == 302
    assert _language(user.id) == "zh_Hant"
    elsewhere.post("/language", data={"lang": "en"})  # a choice made elsewhere, anonymously,
    elsewhere.post("/login", data={"email": "mei@example.org",  # does not overwrite it
                                   "password": "a long enough passphrase"})
    assert _language(user.id) == "zh_Hant"
    assert _says_chinese(elsewhere)  # the account's language follows the person


def test_the_account_page_can_go_back_to_following_the_browser(app, make_user, login_as,
                                                               client):
    user = make_user()
    login_as(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert "/account/language" not in page  # nothing chosen yet: nothing to clear
    client.post("/language", data={"lang": "en"})
    assert not _says_chinese(client, headers=TAIWAN)
    page = client.get("/account").get_data(as_text=True)
    assert "You chose English" in page and 'action="/account/language"' in page

    response = client.post("/account/language")
    assert response.status_code == 302
    assert "lang=;" in response.headers["Set-Cookie"]  # the cookie is cleared too
    assert _language(user.id) is None
    assert _says_chinese(client, headers=TAIWAN)  # Accept-Language applies again
    assert not _says_chinese(client, headers={"Accept-Language": "en-GB"})


def test_going_back_to_the_browser_says_so_in_the_browsers_language(app, make_user, login_as,
                                                                   client):
    user = make_user()
    login_as(client, user)
    client.post("/language", data={"lang": "zh_Hant"})
    response = client.post("/account/language", headers={"Accept-Language": "en-GB"},
                           follow_redirects=True)
    assert "Pages now follow your browser&#39;s language." in response.get_data(as_text=True)


def test_following_the_browser_needs_a_login(client):
    response = client.post("/account/language")
    assert response.status_code in (302, 401)
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_a_bad_language_changes_nothing_on_the_account(app, make_user, login_as, client):
    user = make_user()
    login_as(client, user)
    client.post("/language", data={"lang": "zh_Hant"})
    response = client.post("/language", data={"lang": "fr"})
    assert response.status_code == 400
    assert _language(user.id) == "zh_Hant"
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_an_anonymous_pick_is_not_written_to_any_account(app, make_user, client):
    user = make_user()
    client.post("/language", data={"lang": "zh_Hant"})
    assert _language(user.id) is None


def _petition(make_user):
    opened = datetime(2027, 11, 4, 9, 30, tzinfo=UTC)  # opens an hour later, 31-day window
    people = {"creator": make_user(name="陳小明"),
              "moderator": make_user(roles=("moderator",))}
    scheme = moderation.save_scheme(
        None, actor=make_user(roles=("admin",)), now=opened, title="臺北市請願",
        authority="臺北市政府", description="", commitment=Commitment.ADVISORY,
        moderation_sla_days=14, area_kind="none", area_choices="", eligibility_text="",
        sponsor_count=2, visibility_threshold=0, response_threshold=12_500, window_days=31,
        debate_threshold=None, response_due_days=60)
    petition = open_petition(scheme, people, title="修補中山路的坑洞",
                             action="今年內修好中山路上的每一個坑洞。", now=opened)
    sign_and_confirm(petition.id, "signer@example.org", now=opened)
    return petition


def test_petition_dates_and_counts_follow_the_locale(app, make_user, client):
    petition = _petition(make_user)
    path = f"/petitions/{petition.id}"
    english = client.get(path).get_data(as_text=True)
    assert "Dec 5, 2027 10:30 UTC" in english and "12,500 signatures" in english
    client.post("/language", data={"lang": "zh_Hant"})
    chinese = client.get(path).get_data(as_text=True)
    assert "2027年12月5日 10:30 UTC" in chinese and "12,500 份連署" in chinese
    assert "2027-12-05" not in chinese.replace('datetime="2027-12-05', "")


def test_money_follows_the_locale(app, client):
    from pb.models import BudgetProcess, Phase

    process = BudgetProcess(title="臺北市參與式預算", commitment=Commitment.BINDING,
                            audience=Audience.PUBLIC, currency="TWD")
    process.set_rules(budget=123_456_700, vote_type="approval")  # NT$1,234,567 in cents
    db.session.add(process)
    process.move_to(Phase.VOTING, now=utcnow())
    db.session.commit()
    english = client.get(f"/budgets/{process.id}").get_data(as_text=True)
    assert "NT$1,234,567.00" in english
    client.post("/language", data={"lang": "zh_Hant"})
    chinese = client.get(f"/budgets/{process.id}").get_data(as_text=True)
    # zh_Hant writes its own dollar bare: $1,234,567.00, not NT$
    assert "$1,234,567.00" in chinese and "NT$1,234,567.00" not in chinese
