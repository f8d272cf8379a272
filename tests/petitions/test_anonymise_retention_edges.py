"""`flask petitions anonymise` forgets signers exactly when the retention period has passed
since the petition ended (closed, or rejected by a moderator), records it in the audit log,
and refuses a negative retention (killed issue-15 mutation survivors in petitions/jobs.py
`anonymise`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from petitions import jobs, moderation, service
from tests.petitions.helpers import T0, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)
DAYS = 183

pytestmark = pytest.mark.frozen_clock(NOW)


def _emails(pid):
    from petitions.models import Signature

    db.session.expire_all()
    return set(db.session.scalars(select(Signature.email).where(Signature.petition_id == pid)))


def test_signers_are_forgotten_when_the_retention_ends_not_a_second_before(people, scheme):
    petition = open_petition(scheme, people)
    sign_and_confirm(petition.id, "sam@example.org", now=NOW)
    jobs.tick(now=petition.closes_at)
    due = reload(petition.id).closed_at + timedelta(days=DAYS)
    assert jobs.anonymise(now=due - timedelta(seconds=1), after_days=DAYS) == []
    assert "sam@example.org" in _emails(petition.id)

    assert jobs.anonymise(now=due, after_days=DAYS) == [petition.id]
    assert _emails(petition.id) == {""}
    assert reload(petition.id).anonymised_at == due
    entries = db.session.execute(select(
        AuditEntry.actor_id, AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id,
        AuditEntry.at).where(AuditEntry.action.like("%anonymised%"))).all()
    assert entries == [(None, "petition.anonymised", "petition", str(petition.id), due)]


def test_a_rejected_petitions_sponsors_are_forgotten_after_the_retention(people, scheme):
    creator = people["creator"]
    petition = service.create_petition(scheme_id=scheme.id, creator=creator,
                                       title="Paint the town hall pink",
                                       action="Paint it pink this summer.", background="",
                                       now=NOW)
    service.start_sponsoring(petition.id, creator=creator, now=NOW)
    for i in range(scheme.sponsor_count):
        sign_and_confirm(petition.id, f"sponsor{i}@example.org", now=NOW,
                         sponsor_token=reload(petition.id).sponsor_token)
    rejected_at = NOW + timedelta(hours=1)
    moderation.reject(petition.id, actor=people["moderator"], reason="duplicate",
                      details="", now=rejected_at)
    assert "sponsor0@example.org" in _emails(petition.id)

    due = rejected_at + timedelta(days=DAYS)
    assert jobs.anonymise(now=due - timedelta(seconds=1), after_days=DAYS) == []
    assert jobs.anonymise(now=due, after_days=DAYS) == [petition.id]
    assert _emails(petition.id) == {""}


def test_a_retention_of_zero_days_is_allowed_and_a_negative_one_refused(people, scheme):
    petition = open_petition(scheme, people)
    jobs.tick(now=petition.closes_at)
    with pytest.raises(ValueError, match="after_days must be >= 0"):
        jobs.anonymise(now=petition.closes_at, after_days=-1)
    assert reload(petition.id).anonymised_at is None
    assert jobs.anonymise(now=petition.closes_at, after_days=0) == [petition.id]
