"""A moderator's rejection, an official's response and a bulk invalidation each stamp the
petition or signatures with the time of the decision, write one audit entry naming who did
what to which petition, and tell the people concerned in exact words (killed issue-15
mutation survivors in petitions/moderation.py `reject`, `publish_response`, `invalidate`).

The decision time differs from the frozen clock on purpose: a stamp taken from the wall
clock instead of the decision's `now` shows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.mail import OutboxEmail
from petitions import areas, moderation, service
from petitions.models import Signature
from tests.helpers import audit_rows, mail_to
from tests.petitions.helpers import T0, awaiting_moderation, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)
DECIDED = NOW + timedelta(hours=5)

pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.mark.parametrize(("reason", "label", "hidden"), [
    ("duplicate", "Duplicate of an existing petition", False),
    ("offensive", "Offensive, nonsense or a joke", True),
])
def test_a_rejection_is_stamped_audited_and_told_to_the_creator(people, scheme, reason,
                                                                  label, hidden):
    pid = awaiting_moderation(scheme, people, title="Paint the town hall pink",
                              action="Do it this year.", now=NOW)
    before = len(mail_to("creator@example.org"))
    moderator = people["moderator"]
    moderation.reject(pid, actor=moderator, reason=reason, details="x" * 4001, now=DECIDED)

    petition = reload(pid)
    assert (petition.state, petition.rejected_at, petition.rejection_code, petition.hidden) == \
        ("rejected", DECIDED, reason, hidden)
    assert petition.rejection_details == "x" * 4000
    assert audit_rows("petition.rejected") == [
        (moderator.id, "petition.rejected", "petition", str(pid), DECIDED,
         {"reason": reason, "hidden": hidden})]
    assert mail_to("creator@example.org")[before:] == [
        ("Your petition was rejected", f"“Paint the town hall pink” was rejected ({label}).")]


def test_a_response_is_stamped_audited_and_emailed_to_signers_who_asked(people, scheme):
    petition = open_petition(scheme, people, now=NOW)
    sign_and_confirm(petition.id, "fan@example.org", now=NOW, notify=True)
    sign_and_confirm(petition.id, "quiet@example.org", now=NOW)
    petition = reload(petition.id)
    assert petition.response_state == "awaiting"
    official = people["official"]
    overdue_at = petition.response_due_at + timedelta(days=3, hours=1)

    queued = moderation.publish_response(
        petition.id, actor=official, summary="  We will fix them.  ", details="In May.",
        now=overdue_at, petition_link="https://civic.example.org/petitions/1")

    opted_in = db.session.scalars(select(Signature.email).where(
        Signature.petition_id == petition.id, Signature.notify_by_email.is_(True))).all()
    assert "fan@example.org" in opted_in and queued == len(opted_in)
    petition = reload(petition.id)
    assert (petition.response_state, petition.responded_at, petition.responder_id) == \
        ("responded", overdue_at, official.id)
    assert audit_rows("petition.responded") == [
        (official.id, "petition.responded", "petition", str(petition.id), overdue_at,
         {"overdue_days": 3})]
    mails = db.session.execute(select(OutboxEmail.to, OutboxEmail.subject, OutboxEmail.body,
                                      OutboxEmail.created_at).where(
        OutboxEmail.subject.like("Response to%"),
        OutboxEmail.to.in_(["fan@example.org", "quiet@example.org"]))).all()
    assert mails == [("fan@example.org", "Response to the petition “Fix the potholes on Mill Lane”",
                      "We will fix them.\n\nRead the full response: "
                      "https://civic.example.org/petitions/1", overdue_at)]


def test_a_response_too_long_is_refused_with_the_limits(people, scheme):
    petition = open_petition(scheme, people, now=NOW)
    with pytest.raises(ValueError) as refused:
        moderation.publish_response(petition.id, actor=people["official"], summary="s" * 201,
                                    details="", now=DECIDED, petition_link="/p")
    assert str(refused.value) == "summary must be 1-200 characters and details at most 6,000"


def test_an_invalidation_is_stamped_uncounted_per_area_and_audited(people, scheme):
    petition = open_petition(scheme, people, now=NOW)
    sign_and_confirm(petition.id, "bot1@spam.example", now=NOW, area="North", ip="192.0.2.1")
    sign_and_confirm(petition.id, "bot2@spam.example", now=NOW, area="North", ip="192.0.2.2")
    service.sign(petition.id, name="Bot", email="bot3@spam.example", area="South",
                 ip="192.0.2.3", notify=False, now=NOW, confirm_link=lambda t: t)
    counted = reload(petition.id).signature_count
    north_before = areas.counts(petition.id)["North"]
    moderator = people["moderator"]
    criteria = moderation.InvalidationCriteria(petition_id=petition.id, domain="spam.example")

    assert moderation.invalidate(criteria, actor=moderator, now=DECIDED) == 3

    assert reload(petition.id).signature_count == counted - 2
    rows = db.session.execute(select(Signature.state, Signature.invalidated_at, Signature.token)
                              .where(Signature.email.like("%@spam.example"))).all()
    assert rows == [("invalidated", DECIDED, None)] * 3
    assert areas.counts(petition.id).get("North", 0) == north_before - 2
    assert audit_rows("signatures.invalidated") == [
        (moderator.id, "signatures.invalidated", "petition", str(petition.id), DECIDED,
         {"uncounted": 2, "others": 1, "by_ip": False, "domain": "spam.example"})]
