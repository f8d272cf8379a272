"""What signing counts before it stores a signature is one look-up
(`petitions.signing_limits.signer_history`), and each of its counts is taken only where it
applies: no IP counted without limits or without a known IP (an empty REMOTE_ADDR, as a
unix socket gives, is no one's address), no exempt domain, no confirmation emails without a
cap; the sustained IP window is the longer of the two, as `over_limit` reads it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from petitions import service
from petitions.models import Signature
from petitions.signing_limits import SignerHistory, signer_history
from tests.petitions.helpers import T0

NOW = T0 + timedelta(days=2)
LIMITS = service.SigningLimits(ip_burst=1, ip_burst_seconds=60, ip_sustained=2,
                               ip_sustained_seconds=300, domain_per_hour=2,
                               exempt_domains=frozenset({"gmail.com"}))

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition_id, email, *, ip, at=0, limits=LIMITS):
    service.sign(petition_id, name="Sam", email=email, area=None, ip=ip, notify=False,
                 now=NOW + timedelta(seconds=at), confirm_link=lambda t: f"/c/{t}",
                 limits=limits)


def _history(petition_id, canonical, *, ip, limits=LIMITS, per_hour=3, at=30):
    return signer_history(petition_id, canonical, ip=ip, limits=limits,
                          confirmations_per_hour=per_hour, now=NOW + timedelta(seconds=at))


def _state(email):
    db.session.expire_all()
    return str(db.session.scalar(select(Signature.state).where(Signature.email == email)))


def test_every_count_that_applies_is_taken(petition):
    _sign(petition.id, "ana@example.org", ip="203.0.113.5", at=0)
    assert _history(petition.id, "ana@example.org", ip="203.0.113.5") == SignerHistory(
        forgotten=False, from_ip_burst=1, from_ip_sustained=1, from_domain_hour=1,
        confirmations_hour=1)


def test_without_limits_or_a_cap_nothing_is_counted(petition):
    _sign(petition.id, "ana@example.org", ip="203.0.113.5", at=0)
    assert _history(petition.id, "ana@example.org", ip="203.0.113.5", limits=None,
                    per_hour=None) == SignerHistory(False, 0, 0, 0, 0)


def test_an_exempt_domain_is_not_counted(petition):
    _sign(petition.id, "ana@gmail.com", ip="203.0.113.5", at=0)
    assert _history(petition.id, "bo@gmail.com", ip=None).from_domain_hour == 0


@pytest.mark.parametrize("unknown", [None, ""])
def test_signers_without_a_known_ip_do_not_count_as_one_address(petition, unknown):
    _sign(petition.id, "one@a.example", ip=unknown, at=0)
    _sign(petition.id, "two@b.example", ip=unknown, at=10)
    assert (_state("one@a.example"), _state("two@b.example")) == ("pending", "pending")
    history = _history(petition.id, "three@c.example", ip=unknown)
    assert (history.from_ip_burst, history.from_ip_sustained) == (0, 0)


def test_the_sustained_window_is_the_longer_one(petition):
    limits = service.SigningLimits(ip_burst=5, ip_burst_seconds=600, ip_sustained=2,
                                   ip_sustained_seconds=60)
    _sign(petition.id, "one@a.example", ip="203.0.113.5", at=0, limits=limits)
    _sign(petition.id, "two@b.example", ip="203.0.113.5", at=100, limits=limits)
    _sign(petition.id, "three@c.example", ip="203.0.113.5", at=200, limits=limits)
    assert _state("three@c.example") == "fraudulent"  # two in the last 600 s
