"""A moderator may invalidate by any single filter (an IP or network, an email domain, a start
or an end time) but must give one; a network written from one of its addresses
(203.0.113.9/24) takes the whole network, and the audit entry says an IP was used without
naming it (issue-15 survivors of petitions/moderation.py `InvalidationCriteria` and
`invalidate`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from petitions import moderation
from petitions.models import Signature
from tests.petitions.helpers import T0, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)
DECIDED = NOW + timedelta(hours=5)

pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.mark.parametrize("one_filter", [
    {"ip": "203.0.113.5"}, {"domain": "spam.example"}, {"since": NOW}, {"until": NOW}])
def test_any_single_filter_is_enough(one_filter):
    criteria = moderation.InvalidationCriteria(petition_id=1, **one_filter)
    assert criteria.petition_id == 1


def test_no_filter_is_refused_with_the_reason():
    with pytest.raises(ValueError) as refused:
        moderation.InvalidationCriteria(petition_id=1)
    assert str(refused.value) == "give an IP, a domain or a time window"


def test_a_network_written_from_one_of_its_addresses_takes_the_whole_network(people, scheme):
    petition = open_petition(scheme, people, now=NOW)
    for name, ip in [("a", "203.0.113.7"), ("b", "203.0.113.200"), ("c", "198.51.100.77")]:
        sign_and_confirm(petition.id, f"{name}@example.org", now=NOW, ip=ip)
    counted = reload(petition.id).signature_count
    moderator = people["moderator"]
    criteria = moderation.InvalidationCriteria(petition_id=petition.id, ip="203.0.113.9/24")

    assert moderation.invalidation_preview(criteria) == {"validated": 2}
    assert moderation.invalidate(criteria, actor=moderator, now=DECIDED) == 2

    assert reload(petition.id).signature_count == counted - 2
    states = dict(db.session.execute(select(Signature.email, Signature.state).where(
        Signature.email.in_(["a@example.org", "b@example.org", "c@example.org"]))).all())
    assert states == {"a@example.org": "invalidated", "b@example.org": "invalidated",
                      "c@example.org": "validated"}
    assert db.session.execute(select(
        AuditEntry.actor_id, AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id,
        AuditEntry.at, AuditEntry.details).where(
        AuditEntry.action == "signatures.invalidated")).all() == [
        (moderator.id, "signatures.invalidated", "petition", str(petition.id), DECIDED,
         {"uncounted": 2, "others": 0, "by_ip": True, "domain": None})]
