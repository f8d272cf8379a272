"""Issue 14: every email is written in its recipient's language, not in the language of
whoever caused it. Account holders get the language they picked (users.language); a signer
without an account gets the language of the page they signed on; otherwise the default."""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from accounts import service as accounts
from core.db import db
from core.mail import OutboxEmail
from petitions import moderation, service
from petitions.models import Signature
from tests.petitions.helpers import T0, person, reload, sign_and_confirm, token_for

NOW = T0 + timedelta(days=2)
ZH = {"Accept-Language": "zh-TW,zh;q=0.9"}

pytestmark = pytest.mark.frozen_clock(NOW)


def _mail(to):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == to)
                              .order_by(OutboxEmail.id)).all()


def test_an_english_and_a_chinese_official_each_get_the_notice_in_their_language(
        petition, people):
    person("guan@example.org", "官員", ("official",)).language = "zh_Hant"
    people["creator"].language = "zh_Hant"
    db.session.commit()

    sign_and_confirm(petition.id, "fourth@example.org", now=NOW)  # reaches the threshold (4)

    due_at = reload(petition.id).response_due_at
    en_due, zh_due = (format_date(due_at, "medium", locale=loc) for loc in ("en", "zh_Hant"))
    title = "Fix the potholes on Mill Lane"
    [(en_subject, en_body)] = [(m.subject, m.body) for m in _mail("official@example.org")]
    [(zh_subject, zh_body)] = [(m.subject, m.body) for m in _mail("guan@example.org")]
    assert (en_subject, en_body) == (
        "A petition needs your response",
        f"“{title}” (petition {petition.id}) reached the response threshold. Your answer "
        f"is due by {en_due}.")
    assert (zh_subject, zh_body) == (
        "有一件請願需要您回應",
        f"「{title}」（請願 {petition.id}）已達回應門檻。請於 {zh_due} 前回應。")
    assert en_due != zh_due  # the date too is written the recipient's way
    # The creator chose Chinese: the creator's notice is Chinese too.
    assert _mail("creator@example.org")[-1].subject == "您的請願已達回應門檻"


def test_a_signer_on_the_chinese_page_gets_the_confirmation_in_chinese(client, petition):
    page = client.post(f"/petitions/{petition.id}/sign", headers=ZH, data={
        "name": "林小姐", "email": "lin@example.org", "eligible": "y"})
    assert page.status_code == 200
    [email] = _mail("lin@example.org")
    assert email.subject == "確認您的連署"
    assert "Click this link" not in email.body
    assert db.session.scalar(select(Signature.language).where(
        Signature.email == "lin@example.org")) == "zh_Hant"


def test_signers_get_the_response_in_their_own_language(client, petition, people):
    # Signed on the Chinese page, no account.
    client.post(f"/petitions/{petition.id}/sign", headers=ZH, data={
        "name": "林小姐", "email": "lin@example.org", "eligible": "y", "notify": "y"})
    # Signed on the English page, no account.
    client.post(f"/petitions/{petition.id}/sign", data={
        "name": "Sam", "email": "sam@example.org", "eligible": "y", "notify": "y"})
    for email in ("lin@example.org", "sam@example.org"):
        service.confirm_signature(token_for(petition.id, email), now=NOW)
    # An account that chose Chinese, signing outside any page (the default language).
    reader = person("reader@example.org", "讀者")
    reader.language = "zh_Hant"
    db.session.commit()
    sign_and_confirm(petition.id, "other@example.org", now=NOW, notify=True)
    db.session.execute(Signature.__table__.update().where(
        Signature.email == "other@example.org").values(user_id=reader.id))
    db.session.commit()

    sent = moderation.publish_response(
        petition.id, actor=people["official"], summary="We will fix it.", details="",
        now=NOW, petition_link="https://civic.test/petitions/1")

    assert sent == len(db.session.scalars(select(Signature.id).where(
        Signature.notify_by_email.is_(True), Signature.state == "validated")).all())
    title = "Fix the potholes on Mill Lane"
    assert _mail("sam@example.org")[-1].subject == f"Response to the petition “{title}”"
    assert _mail("lin@example.org")[-1].subject == f"請願「{title}」的主管機關回應"
    assert _mail("other@example.org")[-1].subject == f"請願「{title}」的主管機關回應"
    assert "Read the full response" in _mail("sam@example.org")[-1].body
    assert "Read the full response" not in _mail("lin@example.org")[-1].body


def test_a_password_reset_asked_from_the_english_page_is_written_in_chinese(app):
    user = person("chen@example.org", "陳先生")
    user.language = "zh_Hant"
    db.session.commit()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        accounts.request_password_reset("chen@example.org", lambda t: f"/reset/{t}",
                                        secret_key="k")
    [email] = _mail("chen@example.org")
    assert email.subject == "重設您的密碼"
    assert "Open this link" not in email.body
