"""The fraud limits (docs/reliability.md §2d) count the right rows: a signature without an
IP is not over any IP limit, the sustained IP window is the long one, the per-domain limit
counts this domain on this petition only and never applies to a big provider, and the
per-address email cap looks back exactly one hour (petitions/signing_limits.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.mail import OutboxEmail
from petitions import service
from petitions.identity import SigningLimits
from petitions.models import Signature, SignatureState
from tests.petitions.helpers import T0, open_petition

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition_id, email, *, now=NOW, ip=None, **given):
    service.sign(petition_id, name="Sam", email=email, area=None, ip=ip, notify=False,
                 now=now, confirm_link=lambda t: f"/c/{t}", **given)
    db.session.expire_all()
    return db.session.scalar(select(Signature.state).where(
        Signature.petition_id == petition_id, Signature.email == email))


def test_a_signature_without_an_ip_is_not_over_an_ip_limit(petition):
    assert _sign(petition.id, "noip@gmail.com", limits=SigningLimits()) == \
        SignatureState.PENDING


def test_the_sustained_ip_limit_counts_the_whole_five_minutes(petition):
    limits = SigningLimits(ip_burst=100, ip_sustained=2, ip_sustained_seconds=300)
    ip = "203.0.113.7"
    assert _sign(petition.id, "a@gmail.com", ip=ip, limits=limits) == SignatureState.PENDING
    assert _sign(petition.id, "b@gmail.com", ip=ip, limits=limits,
                 now=NOW + timedelta(minutes=2)) == SignatureState.PENDING
    assert _sign(petition.id, "c@gmail.com", ip=ip, limits=limits,
                 now=NOW + timedelta(minutes=4)) == SignatureState.FRAUDULENT


def test_the_domain_limit_counts_this_domain_on_this_petition_only(petition, scheme, people):
    other = open_petition(scheme, people, title="Another petition")
    limits = SigningLimits(ip_burst=100, ip_sustained=100, domain_per_hour=2)
    for name in ("a", "b"):
        _sign(other.id, f"{name}@small.example", limits=limits)  # the same domain elsewhere
        _sign(petition.id, f"{name}@big.example", limits=limits)  # another domain here
    assert _sign(petition.id, "a@small.example", limits=limits) == SignatureState.PENDING
    assert _sign(petition.id, "b@small.example", limits=limits) == SignatureState.PENDING
    assert _sign(petition.id, "c@small.example", limits=limits) == SignatureState.FRAUDULENT


def test_a_big_provider_is_never_over_the_domain_limit(petition):
    limits = SigningLimits(domain_per_hour=0)
    assert _sign(petition.id, "x@gmail.com", limits=limits) == SignatureState.PENDING
    assert _sign(petition.id, "y@small.example", limits=limits) == SignatureState.FRAUDULENT


def test_an_email_sent_exactly_an_hour_ago_no_longer_counts_against_the_cap(petition,
                                                                           scheme, people):
    other = open_petition(scheme, people, title="Another petition")
    _sign(petition.id, "cap@example.org", confirmations_per_hour=1)
    _sign(other.id, "cap@example.org", confirmations_per_hour=1, now=NOW + timedelta(hours=1))
    assert db.session.scalar(select(db.func.count(OutboxEmail.id)).where(
        OutboxEmail.to == "cap@example.org")) == 2
