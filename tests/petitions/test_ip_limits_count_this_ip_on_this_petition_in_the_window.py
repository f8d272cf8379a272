"""The per-IP signing limits count only this IP's signatures on this petition, and only
those inside each window (a signature exactly one window old no longer counts), so a busy
neighbour, another petition or an old signature never flags an honest signer (killed issue-15
mutation survivors in `_recent_from_ip`, now part of `petitions.signing_limits.signer_history`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from petitions import service
from petitions.models import Signature
from tests.petitions.helpers import T0, open_petition

NOW = T0 + timedelta(days=2)
LIMITS = service.SigningLimits(ip_burst=1, ip_burst_seconds=60, ip_sustained=2,
                               ip_sustained_seconds=300)

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(pid, email, *, ip, at):
    service.sign(pid, name="Sam", email=email, area=None, ip=ip, notify=False,
                 now=NOW + timedelta(seconds=at), confirm_link=lambda t: f"/c/{t}",
                 limits=LIMITS)


def _state(email):
    db.session.expire_all()
    return str(db.session.scalar(select(Signature.state).where(Signature.email == email)))


def test_a_second_signature_within_the_burst_window_is_fraudulent(people, scheme):
    petition = open_petition(scheme, people)
    _sign(petition.id, "one@example.org", ip="203.0.113.5", at=0)
    _sign(petition.id, "two@example.org", ip="203.0.113.5", at=10)
    assert (_state("one@example.org"), _state("two@example.org")) == ("pending", "fraudulent")


def test_signatures_exactly_one_window_old_no_longer_count(people, scheme):
    petition = open_petition(scheme, people)
    _sign(petition.id, "at0@example.org", ip="203.0.113.5", at=0)
    _sign(petition.id, "at60@example.org", ip="203.0.113.5", at=60)  # burst window: 0 is out
    _sign(petition.id, "at300@example.org", ip="203.0.113.5", at=300)  # sustained: 0 is out
    assert {_state(f"at{t}@example.org") for t in (0, 60, 300)} == {"pending"}


def test_other_addresses_and_other_petitions_do_not_count(people, scheme):
    petition = open_petition(scheme, people)
    other = open_petition(scheme, people, title="Another petition altogether")
    _sign(petition.id, "first@example.org", ip="203.0.113.5", at=0)
    _sign(petition.id, "neighbour@example.org", ip="203.0.113.6", at=1)
    _sign(other.id, "elsewhere@example.org", ip="203.0.113.5", at=2)
    assert {_state(e) for e in ("first@example.org", "neighbour@example.org",
                                "elsewhere@example.org")} == {"pending"}
