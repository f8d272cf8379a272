"""A logged-in citizen signs in one click from an address that is over the signing limits
(e.g. a burst from one IP): the signature is stored as fraudulent and not counted, exactly as
an emailed signature would be, and the signer is told nothing different."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from petitions import service
from petitions.identity import SigningLimits
from petitions.models import Signature
from tests.petitions.helpers import T0, count_rows, reload

NOW = T0 + timedelta(days=2)
BURST_IP = "203.0.113.5"
LIMITS = SigningLimits(ip_burst=1, ip_sustained=5)

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition, *, email, user=None, ip=BURST_IP, now=NOW):
    return service.sign(petition.id, name="Cit Izen", email=email, area=None, ip=ip,
                        notify=False, now=now, confirm_link=lambda t: f"/c/{t}", user=user,
                        limits=LIMITS)


def test_a_one_click_signature_over_the_ip_limit_is_stored_fraudulent_and_not_counted(
        people, petition):
    citizen = people["citizen"]
    _sign(petition, email="first@example.org")  # the one signature this IP may make a minute
    before = reload(petition.id).signature_count

    outcome = _sign(petition, email=citizen.email, user=citizen, now=NOW + timedelta(seconds=5))

    assert outcome == service.SignOutcome.COUNTED  # no signal to a fraudster
    assert reload(petition.id).signature_count == before
    assert db.session.scalar(select(Signature.state).where(
        Signature.email == citizen.email)) == "fraudulent"
    assert count_rows(petition.id, "fraudulent") == 1


def test_signing_again_after_being_flagged_still_does_not_count(people, petition):
    citizen = people["citizen"]
    _sign(petition, email="first@example.org")
    _sign(petition, email=citizen.email, user=citizen, now=NOW + timedelta(seconds=5))
    before = reload(petition.id).signature_count

    later = NOW + timedelta(hours=1)  # the IP is within its limits again
    outcome = _sign(petition, email=citizen.email, user=citizen, ip="198.51.100.20", now=later)

    assert outcome == service.SignOutcome.ALREADY_SIGNED
    assert reload(petition.id).signature_count == before


def test_a_one_click_signature_within_the_limits_counts_at_once(people, petition):
    citizen = people["citizen"]
    before = reload(petition.id).signature_count

    assert _sign(petition, email=citizen.email, user=citizen) == service.SignOutcome.COUNTED

    assert reload(petition.id).signature_count == before + 1
    assert db.session.scalar(select(Signature.state).where(
        Signature.email == citizen.email)) == "validated"
