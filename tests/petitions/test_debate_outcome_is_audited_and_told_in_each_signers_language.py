"""A recorded debate outcome is audited (who, which petition, when, outcome and date) and
every validated signer of this petition who asked for news is emailed, once, in their own
language: the account's choice, else the page they signed on, else the site default, even
when the moderator works on the Chinese page (issue-15 survivors of petitions/moderation.py
`record_debate_outcome` and `_email_signers`).

The decision time differs from the frozen clock on purpose: a stamp taken from the wall
clock instead of the decision's `now` shows."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.support import Translations
from flask_babel import get_locale, refresh
from sqlalchemy import select, update

from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxEmail
from petitions import moderation
from petitions.lifecycle import DebateOutcome, DebateState
from petitions.models import Signature
from tests.petitions.helpers import T0, open_petition, person, sign_and_confirm

NOW = T0 + timedelta(days=2)
DECIDED = NOW + timedelta(hours=5)
LINK = "https://civic.example/petitions/1"
TITLE = "Fix the potholes on Mill Lane"
SUMMARY = "MPs debated the potholes."
ZH_PAGE = {"Accept-Language": "zh-TW,zh;q=0.9"}

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition_id, email, *, language, user=None, notify=True):
    sign_and_confirm(petition_id, email, now=NOW, notify=notify)
    db.session.execute(update(Signature).where(Signature.email == email,
                                               Signature.petition_id == petition_id)
                       .values(language=language, user_id=user and user.id))
    db.session.commit()


@pytest.fixture
def debatable(people, scheme):
    """Six signatures reach the small scheme's debate line; the signers are:
    an account that chose Chinese but signed on the English page, a visitor on the Chinese
    page, a visitor on the English page, one whose page language is unknown, one who asked
    for no news; and a fan of another petition."""
    petition = open_petition(scheme, people, now=NOW)
    other = open_petition(scheme, people, title="Light Mill Lane", now=NOW)
    reader = person("reader@example.org", "讀者")
    reader.language = "zh_Hant"
    db.session.commit()
    _sign(petition.id, "reader@example.org", language="en", user=reader)
    _sign(petition.id, "lin@example.org", language="zh_Hant")
    _sign(petition.id, "sam@example.org", language="en")
    _sign(petition.id, "unknown@example.org", language=None)
    _sign(petition.id, "quiet@example.org", language="zh_Hant", notify=False)
    _sign(other.id, "other-fan@example.org", language="en")
    db.session.expire_all()
    assert petition.debate_state == DebateState.AWAITING
    return petition


def _mails():
    return db.session.execute(select(OutboxEmail.to, OutboxEmail.subject, OutboxEmail.body,
                                     OutboxEmail.created_at)
                              .where(OutboxEmail.body.like(f"{SUMMARY}%"))
                              .order_by(OutboxEmail.to)).all()


def _expected(debated):
    zh = Translations.load("translations", ["zh_Hant"])
    subject = ("The petition “%(title)s” was debated" if debated
               else "The petition “%(title)s” will not be debated")
    body = "%(summary)s\n\nRead more: %(link)s"
    params = {"title": TITLE, "summary": SUMMARY, "link": LINK}
    en = (subject % params, body % params)
    chinese = (zh.gettext(subject) % params, zh.gettext(body) % params)
    assert chinese[0] != en[0] and chinese[1] != en[1]
    return {"creator@example.org": en, "lin@example.org": chinese, "reader@example.org": chinese,
            "sam@example.org": en, "unknown@example.org": en}


@pytest.mark.parametrize("outcome", [DebateState.DEBATED, DebateState.NOT_DEBATED])
def test_the_outcome_is_audited_and_each_opted_in_signer_told_in_their_language(
        app, people, debatable, outcome):
    moderator = people["moderator"]
    with app.test_request_context("/", headers=ZH_PAGE):  # the moderator reads Chinese
        refresh()  # forget the locale cached by the fixture's work outside this request
        assert str(get_locale()) == "zh_Hant"
        queued = moderation.record_debate_outcome(
            debatable.id, actor=moderator, now=DECIDED, petition_link=LINK,
            outcome=DebateOutcome(outcome=outcome, on=date(2026, 3, 4), summary=SUMMARY))
        db.session.commit()

    assert queued == 5  # with the creator, who signed on the English page
    expected = _expected(outcome == DebateState.DEBATED)
    assert _mails() == [(to, *expected[to], DECIDED) for to in sorted(expected)]
    assert db.session.execute(select(
        AuditEntry.actor_id, AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id,
        AuditEntry.at, AuditEntry.details).where(
        AuditEntry.action == "petition.debate_outcome")).all() == [
        (moderator.id, "petition.debate_outcome", "petition", str(debatable.id), DECIDED,
         {"outcome": str(outcome), "on": "2026-03-04"})]
