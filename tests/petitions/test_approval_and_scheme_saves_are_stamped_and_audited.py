"""A moderator's approval opens the petition under the scheme's numbers, is audited with who,
what, which petition and when, and the creator is told in their own language; an
administrator's scheme save is audited the same way and refuses a debate line at or below the
response line (issue-15 survivors of petitions/moderation.py `approve`, `save_scheme`).

The decision time differs from the frozen clock on purpose: a stamp taken from the wall
clock instead of the decision's `now` shows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.support import Translations
from sqlalchemy import select

from core.db import db
from core.process import Commitment
from petitions import moderation
from petitions.models import PetitionScheme
from tests.helpers import audit_rows, mail_to
from tests.petitions.helpers import SMALL_RULES, T0, awaiting_moderation, reload

NOW = T0 + timedelta(days=2)
DECIDED = NOW + timedelta(hours=5)
TITLE = "Plant trees on Elm Street"

pytestmark = pytest.mark.frozen_clock(NOW)


def test_an_approval_opens_under_the_schemes_window_and_is_audited(people, scheme):
    pid = awaiting_moderation(scheme, people, title=TITLE, action="Twenty trees.", now=NOW)
    moderator = people["moderator"]

    moderation.approve(pid, actor=moderator, now=DECIDED)

    petition = reload(pid)
    assert (petition.state, petition.opened_at, petition.window_days,
            petition.response_due_days, petition.closes_at) == \
        ("open", DECIDED, 30, 10, DECIDED + timedelta(days=30))
    assert audit_rows("petition.approved") == [
        (moderator.id, "petition.approved", "petition", str(pid), DECIDED, {})]


def test_a_chinese_speaking_creator_is_told_in_chinese_that_the_petition_is_open(people,
                                                                                 scheme):
    people["creator"].language = "zh_Hant"
    db.session.commit()
    pid = awaiting_moderation(scheme, people, title=TITLE, action="Twenty trees.", now=NOW)
    before = len(mail_to("creator@example.org"))

    moderation.approve(pid, actor=people["moderator"], now=DECIDED)

    zh = Translations.load("translations", ["zh_Hant"])
    assert zh.gettext("Your petition is open") == "您的請願已開放連署"
    assert mail_to("creator@example.org")[before:] == [(
        "您的請願已開放連署",
        zh.gettext("“%(title)s” is now open for signatures.") % {"title": TITLE})]


def test_an_english_speaking_creator_is_told_in_english(people, scheme):
    pid = awaiting_moderation(scheme, people, title=TITLE, action="Twenty trees.", now=NOW)
    before = len(mail_to("creator@example.org"))

    moderation.approve(pid, actor=people["moderator"], now=DECIDED)

    assert mail_to("creator@example.org")[before:] == [
        ("Your petition is open", f"“{TITLE}” is now open for signatures.")]


def _save(people, scheme_id=None, **changes):
    fields = dict(title="Tree scheme", authority="Council", description="",
                  commitment=Commitment.ADVISORY, moderation_sla_days=14, area_kind="district",
                  area_choices="North\nSouth", eligibility_text="", **SMALL_RULES)
    fields.update(changes)
    return moderation.save_scheme(scheme_id, actor=people["admin"], now=DECIDED, **fields)


def test_a_scheme_save_is_audited_with_the_admin_the_scheme_and_the_time(people):
    scheme = _save(people)
    _save(people, scheme.id, title="Tree scheme (2027)")

    admin = people["admin"]
    assert audit_rows("scheme.saved") == [
        (admin.id, "scheme.saved", "petition_scheme", str(scheme.id), DECIDED, {})] * 2
    assert db.session.get(PetitionScheme, scheme.id).title == "Tree scheme (2027)"


@pytest.mark.parametrize("debate_threshold", [4, 3])
def test_a_debate_line_not_above_the_response_line_is_refused_and_nothing_saved(
        people, debate_threshold):
    with pytest.raises(ValueError, match="^debate_threshold must exceed response_threshold$"):
        _save(people, debate_threshold=debate_threshold)
    assert db.session.scalars(select(PetitionScheme)).all() == []
    assert audit_rows("scheme.saved") == []
