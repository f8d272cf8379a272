"""A creator submits a petition and shares the sponsor link: their own signature is the first,
and once the scheme's number of sponsors (2 here) have confirmed too, the petition leaves
"collecting sponsors" for the moderation queue, not one signature earlier or later."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from petitions import moderation, service
from petitions.lifecycle import PetitionState
from tests.petitions.helpers import T0, reload, sign_and_confirm, sponsoring, token_for

NOW = T0 + timedelta(days=1)

pytestmark = pytest.mark.frozen_clock(NOW)


def _submitted(scheme, people):
    return sponsoring(scheme, people, title="More benches",
                      action="Put benches along the river path.", now=NOW)


def _sponsor(petition, email, at):
    return sign_and_confirm(petition.id, email, now=at, sponsor_token=petition.sponsor_token)


def _sponsored_at(petition_id):
    """When the audit log says the petition got its sponsors (one entry per petition)."""
    return [at.replace(tzinfo=None) for at in db.session.scalars(select(AuditEntry.at).where(
        AuditEntry.action == "petition.sponsored", AuditEntry.target_type == "petition",
        AuditEntry.target_id == str(petition_id))).all()]


def test_the_creator_and_two_sponsors_send_the_petition_to_moderation(people, scheme):
    assert scheme.sponsor_count == 2
    petition = _submitted(scheme, people)
    assert (reload(petition.id).state, reload(petition.id).signature_count) == (
        PetitionState.SPONSORING, 1)  # the creator's own signature

    _sponsor(petition, "first.sponsor@example.org", NOW)
    p = reload(petition.id)
    assert (p.state, p.signature_count, p.moderation_at) == (PetitionState.SPONSORING, 2, None)

    second_at = NOW + timedelta(hours=3)
    _sponsor(petition, "second.sponsor@example.org", second_at)
    p = reload(petition.id)
    assert (p.state, p.signature_count) == (PetitionState.AWAITING_MODERATION, 3)
    assert p.moderation_at is not None and p.moderation_at.replace(tzinfo=None) == \
        second_at.replace(tzinfo=None)
    assert _sponsored_at(petition.id) == [second_at.replace(tzinfo=None)]


def test_a_sponsor_who_has_not_confirmed_does_not_count(people, scheme):
    petition = _submitted(scheme, people)
    _sponsor(petition, "first.sponsor@example.org", NOW)
    service.sign(petition.id, name="Slow Sponsor", email="slow@example.org", area=None,
                 ip="198.51.100.8", notify=False, now=NOW, confirm_link=lambda t: f"/c/{t}",
                 sponsor_token=petition.sponsor_token)

    assert reload(petition.id).state == PetitionState.SPONSORING

    service.confirm_signature(token_for(petition.id, "slow@example.org"), now=NOW)
    assert reload(petition.id).state == PetitionState.AWAITING_MODERATION


def test_the_sponsor_count_is_the_one_when_sponsoring_began(people, scheme):
    petition = _submitted(scheme, people)
    moderation.save_scheme(scheme.id, actor=people["admin"], now=NOW, **{
        **{name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS},
        "sponsor_count": 5})

    _sponsor(petition, "first.sponsor@example.org", NOW)
    _sponsor(petition, "second.sponsor@example.org", NOW)

    assert reload(petition.id).state == PetitionState.AWAITING_MODERATION
