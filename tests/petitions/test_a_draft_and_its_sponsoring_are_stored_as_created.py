"""A new petition is stored as its creator wrote it, as a draft with the scheme's sponsor
count and a sponsor link of its own; submitting it stamps the time and records the
creator's own signature, linked to their account; an unconfirmed creator is told why they
cannot (petitions/service.py `create_petition`, `start_sponsoring`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from core.process import Commitment
from petitions import moderation, service
from petitions.lifecycle import PetitionState
from petitions.models import Signature, SignatureState
from tests.petitions.helpers import SMALL_RULES, T0, person, reload

NOW = T0 + timedelta(days=2)
WRITTEN_AT = NOW - timedelta(hours=5)  # not the (frozen) wall clock

pytestmark = pytest.mark.frozen_clock(NOW)


def _draft(scheme, creator):
    return service.create_petition(scheme_id=scheme.id, creator=creator,
                                   title=" Plant trees ", action=" Plant a tree on every street. ",
                                   background=" Shade in summer. ", now=WRITTEN_AT)


def test_a_draft_is_stored_as_written(scheme, people):
    draft = reload(_draft(scheme, people["creator"]).id)
    assert (draft.title, draft.action, draft.background, draft.state, draft.sponsor_count,
            draft.created_at, draft.creator_id) == (
        "Plant trees", "Plant a tree on every street.", "Shade in summer.",
        PetitionState.DRAFT, 2, WRITTEN_AT, people["creator"].id)
    assert scheme.sponsor_count == 2
    assert len(draft.sponsor_token) == 32  # secrets.token_urlsafe(24)


def test_submitting_stamps_the_time_and_records_the_creators_signature(scheme, people):
    creator = people["creator"]
    draft = _draft(scheme, creator)
    submitted_at = NOW + timedelta(minutes=3)
    service.start_sponsoring(draft.id, creator=creator, now=submitted_at)
    petition = reload(draft.id)
    assert (petition.state, petition.sponsoring_at, petition.signature_count) == (
        PetitionState.SPONSORING, submitted_at, 1)
    own = db.session.scalar(select(Signature).where(Signature.petition_id == draft.id))
    assert (own.email, own.user_id, own.state, own.validated_at) == (
        "creator@example.org", creator.id, SignatureState.VALIDATED, submitted_at)


def test_an_unconfirmed_creator_is_told_to_confirm_their_address_first(scheme, people):
    newcomer = person("new@example.org", "Nia Newcomer")
    newcomer.email_confirmed_at = None
    db.session.commit()
    draft = _draft(scheme, newcomer)
    with pytest.raises(service.SigningClosed) as refused:
        service.start_sponsoring(draft.id, creator=newcomer, now=NOW)
    assert str(refused.value) == "Confirm your email address before collecting sponsors."
    assert reload(draft.id).state == PetitionState.DRAFT


def test_a_scheme_needing_no_sponsors_sends_the_petition_to_moderation_when_submitted(
        people):
    rules = SMALL_RULES | {"sponsor_count": 0}
    no_sponsors = moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="No sponsors", authority="Council",
        description="", commitment=Commitment.ADVISORY, moderation_sla_days=14,
        area_kind="none", area_choices="", eligibility_text="", **rules)
    creator = people["creator"]
    draft = _draft(no_sponsors, creator)
    submitted_at = NOW + timedelta(minutes=3)
    service.start_sponsoring(draft.id, creator=creator, now=submitted_at)
    petition = reload(draft.id)
    assert (petition.state, petition.moderation_at) == (PetitionState.AWAITING_MODERATION,
                                                        submitted_at)
    assert db.session.execute(select(AuditEntry.action, AuditEntry.at).where(
        AuditEntry.action == "petition.sponsored")).all() == [("petition.sponsored",
                                                               submitted_at)]
