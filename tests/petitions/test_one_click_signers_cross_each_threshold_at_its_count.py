"""Logged-in, confirmed users sign with one click; the signature that reaches a line crosses
it at once, and no earlier one does: the last sponsor sends the petition to moderation, then
the visibility, response and debate lines are each stamped with that signature's time. A
count change on a closed petition stamps nothing; a creator whose account was deleted is not
emailed, and a Chinese-speaking creator and official are told in Chinese (issue-15
survivors of petitions/thresholds.py `cross_thresholds`, `_cannot_cross`, `notify_creator`,
`notify_role`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from babel.support import Translations
from sqlalchemy import func, select, update

from core.db import db
from core.mail import OutboxEmail
from core.process import Commitment
from petitions import moderation, service, thresholds
from petitions.models import Petition
from tests.petitions.helpers import T0, person, reload, sponsoring

NOW = T0 + timedelta(days=2)
TITLE = "Fix the potholes on Mill Lane"
# Listed at 4 signatures, answered at 5, debated at 6; opened with 3 (creator + 2 sponsors).
RULES = dict(sponsor_count=2, visibility_threshold=4, response_threshold=5, window_days=30,
             debate_threshold=6, response_due_days=10)

pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.fixture
def lines(people):
    return moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="Lines", authority="Council",
        description="", commitment=Commitment.ADVISORY, moderation_sla_days=14,
        area_kind="district", area_choices="North\nSouth", eligibility_text="", **RULES)


def _one_click(petition_id, n, *, at, sponsor_token=None):
    user = person(f"user{n}@example.org", f"User {n}")
    db.session.commit()
    outcome = service.sign(petition_id, name=f"User {n}", email=user.email, area=None,
                           ip=f"198.51.100.{n}", notify=False, now=at, user=user,
                           confirm_link=lambda t: t, sponsor_token=sponsor_token)
    assert outcome == service.SignOutcome.COUNTED
    return reload(petition_id)


def _sponsoring(people, scheme):
    return reload(sponsoring(scheme, people, title=TITLE, action="Repair them.", now=NOW).id)


def _stamps(petition):
    return (petition.state, petition.moderation_at, petition.listed_at,
            petition.response_threshold_reached_at, petition.response_due_at,
            petition.debate_threshold_reached_at)


def test_the_last_one_click_sponsor_sends_the_petition_to_moderation(people, lines):
    petition = _sponsoring(people, lines)
    token = petition.sponsor_token
    first, second = NOW + timedelta(hours=1), NOW + timedelta(hours=2)

    petition = _one_click(petition.id, 1, at=first, sponsor_token=token)
    assert (petition.signature_count, petition.state, petition.moderation_at) == \
        (2, "sponsoring", None)
    petition = _one_click(petition.id, 2, at=second, sponsor_token=token)
    assert (petition.signature_count, petition.state, petition.moderation_at) == \
        (3, "awaiting_moderation", second)


def test_each_line_is_crossed_by_the_one_click_signature_that_reaches_it(people, lines):
    petition = reload(_approved(people, lines))
    assert _stamps(petition) == ("open", NOW, None, None, None, None)

    at = {n: NOW + timedelta(hours=n) for n in (4, 5, 6)}
    assert _stamps(_one_click(petition.id, 4, at=at[4])) == \
        ("open", NOW, at[4], None, None, None)
    assert _stamps(_one_click(petition.id, 5, at=at[5])) == \
        ("open", NOW, at[4], at[5], at[5] + timedelta(days=10), None)
    petition = _one_click(petition.id, 6, at=at[6])
    assert _stamps(petition) == ("open", NOW, at[4], at[5], at[5] + timedelta(days=10), at[6])
    assert (petition.response_state, petition.debate_state) == ("awaiting", "awaiting")


def test_a_count_change_on_a_closed_petition_stamps_nothing(people, lines):
    petition = reload(_approved(people, lines))
    # Closed at 3 signatures; then a late change (a racing confirmation) lifts the count.
    db.session.execute(update(Petition).where(Petition.id == petition.id)
                       .values(state="closed", signature_count=10))
    db.session.commit()

    thresholds.cross_thresholds(reload(petition.id), now=NOW + timedelta(days=40))
    db.session.commit()

    petition = reload(petition.id)
    assert _stamps(petition) == ("closed", NOW, None, None, None, None)
    assert (petition.response_state, petition.debate_state) == ("not_needed", "not_needed")


def _approved(people, scheme):
    """Sponsored by the creator and two one-click sponsors, approved at NOW; its id."""
    petition = _sponsoring(people, scheme)
    for n in (1, 2):
        _one_click(petition.id, n, at=NOW, sponsor_token=petition.sponsor_token)
    moderation.approve(petition.id, actor=people["moderator"], now=NOW)
    return petition.id


def _to_answer(people, scheme):
    petition_id = _approved(people, scheme)
    _one_click(petition_id, 4, at=NOW)
    return petition_id


def test_a_deleted_creator_is_not_emailed_and_the_officials_still_are(people, lines):
    pid = _to_answer(people, lines)
    creator = people["creator"]
    creator.email, creator.deleted_at = None, NOW  # as account deletion leaves the row
    db.session.commit()

    _one_click(pid, 5, at=NOW)

    assert reload(pid).response_state == "awaiting"
    assert db.session.scalars(select(OutboxEmail.to).where(
        OutboxEmail.subject.in_(["Your petition needs a response",
                                 "A petition needs your response"]))).all() == [
        "official@example.org"]


def test_a_chinese_creator_and_official_are_told_in_chinese(people, lines):
    people["creator"].language = "zh_Hant"
    people["official"].language = "zh_Hant"
    db.session.commit()
    pid = _to_answer(people, lines)
    before = db.session.scalar(select(func.max(OutboxEmail.id)))

    _one_click(pid, 5, at=NOW)

    zh = Translations.load("translations", ["zh_Hant"])
    due = format_date(reload(pid).response_due_at, "medium", locale="zh_Hant")
    mails = db.session.execute(select(OutboxEmail.to, OutboxEmail.subject, OutboxEmail.body)
                               .where(OutboxEmail.to.in_(["creator@example.org",
                                                          "official@example.org"]),
                                      OutboxEmail.id > before)
                               .order_by(OutboxEmail.to)).all()
    assert mails == [
        ("creator@example.org", zh.gettext("Your petition needs a response"),
         zh.gettext("“%(title)s” reached the response threshold. An answer is due by "
                    "%(due)s.") % {"title": TITLE, "due": due}),
        ("official@example.org", zh.gettext("A petition needs your response"),
         zh.gettext("“%(title)s” (petition %(id)s) reached the response threshold. "
                    "Your answer is due by %(due)s.") % {"title": TITLE, "id": pid,
                                                         "due": due})]
    assert mails[0][1] != "Your petition needs a response"
