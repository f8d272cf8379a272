"""The scheduled jobs (`flask petitions tick|reconcile|anonymise`) each leave an exact audit
entry, touch only the petitions that are due, and scrub the signers' outbox copies up to
the retention cutoff included (petitions/jobs.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from core.db import db
from core.mail import OutboxEmail
from petitions import jobs, service
from petitions.lifecycle import PetitionState
from petitions.models import Petition
from tests.helpers import audit_rows
from tests.petitions.helpers import T0, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _audit(action):
    db.session.expire_all()
    return audit_rows(action)


def test_tick_closes_the_due_petition_once_and_audits_it(people, scheme):
    later = open_petition(scheme, people, title="Opened ten days later",
                          now=T0 + timedelta(days=10))
    due = open_petition(scheme, people, title="Opened first", now=T0)
    assert later.id < due.id  # the due petition is not the first row
    at = reload(due.id).closes_at + timedelta(hours=1)

    assert jobs.tick(now=at) == [due.id]
    assert reload(due.id).state == PetitionState.CLOSED
    assert reload(later.id).state == PetitionState.OPEN
    assert _audit("petition.closed") == [(None, "petition.closed", "petition", str(due.id), at,
                                          {})]
    # a second run finds nothing more to close and says so
    assert jobs.tick(now=at + timedelta(minutes=5)) == []
    assert len(_audit("petition.closed")) == 1


def test_reconcile_corrects_the_drifted_count_audits_it_and_stamps_every_petition(people,
                                                                                  scheme):
    steady = open_petition(scheme, people, title="A steady petition", now=T0)
    drifted = open_petition(scheme, people, title="A drifted petition", now=T0)
    db.session.execute(update(Petition).where(Petition.id == drifted.id)
                       .values(signature_count=9))
    db.session.commit()
    at = NOW + timedelta(hours=3)

    assert jobs.reconcile(now=at) == [(drifted.id, 9, 3)]
    assert reload(drifted.id).signature_count == 3
    assert _audit("petition.reconciled") == [
        (None, "petition.reconciled", "petition", str(drifted.id), at,
         {"stored": 9, "counted": 3})]
    db.session.expire_all()
    assert set(db.session.scalars(select(Petition.last_reconciled_at))) == {at}
    assert reload(steady.id).signature_count == 3


def test_anonymise_forgets_the_outbox_copy_queued_exactly_at_the_cutoff(people, scheme):
    ended = open_petition(scheme, people, title="Ended first", now=T0)
    sign_and_confirm(ended.id, "early@example.org", now=NOW)
    jobs.tick(now=ended.closes_at)
    queued_at = ended.closes_at + timedelta(days=1)
    newer = open_petition(scheme, people, title="Signed at the cutoff", now=queued_at)
    with time_machine.travel(queued_at, tick=False):
        service.sign(newer.id, name="Early", email="early@example.org", area=None, ip=None,
                     notify=False, now=queued_at, confirm_link=lambda t: f"/c/{t}")

    assert jobs.anonymise(now=queued_at + timedelta(days=183), after_days=183) == [ended.id]
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.to == "early@example.org")) == 0


def test_anonymise_keeps_the_moderators_email_about_a_trending_domain(people, scheme):
    """An email domain names nobody: its trending alert and the moderators' email about it
    stay; only the IP alert's email goes."""
    from petitions import moderation

    petition = open_petition(scheme, people, title="Trending petition", now=T0)
    sign_and_confirm(petition.id, "someone@small.example", now=NOW, ip="203.0.113.9")
    moderation.report_trending(now=NOW + timedelta(minutes=1), log_at=1, notify_at=1)

    def about(kind):
        return db.session.scalars(select(OutboxEmail.body).where(
            OutboxEmail.to == "mod@example.org", OutboxEmail.body.contains(kind))).all()

    assert about("email domain small.example") and about("IP address 203.0.113.9")
    jobs.tick(now=petition.closes_at)
    assert jobs.anonymise(now=petition.closes_at + timedelta(days=184), after_days=183) == \
        [petition.id]
    assert about("IP address 203.0.113.9") == []
    assert len(about("email domain small.example")) == 1
