"""Anonymising a petition deletes the moderators' trending email that named one of its IPs
only when that email was queued with the petition's own alert and is not newer than the
retention cutoff: the same IP alerted on another petition at another time keeps its email,
an alert email queued after the cutoff is kept like any newer email, and one queued exactly
at the cutoff goes (petitions/jobs.py `_forget_trending_ips`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.mail import OutboxEmail
from petitions import jobs, moderation
from tests.petitions.helpers import T0, open_petition, sign_and_confirm

NOW = T0 + timedelta(days=2)
IP = "203.0.113.77"
KEEP = 183

pytestmark = pytest.mark.frozen_clock(NOW)


def _alert_emails():
    """(created_at, body) of every moderator email naming IP, oldest first."""
    return db.session.execute(select(OutboxEmail.created_at, OutboxEmail.body).where(
        OutboxEmail.to == "mod@example.org", OutboxEmail.body.contains(IP))
        .order_by(OutboxEmail.id)).all()


def _body(petition_id):
    return (f"1 signatures in the last hour on petition {petition_id} came from the "
            f"IP address {IP}. Review them in the moderation queue.")


def test_the_same_ip_alerted_on_another_petition_later_keeps_its_email(people, scheme):
    first = open_petition(scheme, people, title="The first petition")
    second = open_petition(scheme, people, title="The second petition", now=NOW)
    sign_and_confirm(first.id, "ann@example.org", now=NOW, ip=IP)
    moderation.report_trending(now=NOW + timedelta(minutes=1), log_at=1, notify_at=1)
    sign_and_confirm(second.id, "bea@example.org", now=NOW + timedelta(hours=2), ip=IP)
    moderation.report_trending(now=NOW + timedelta(hours=2, minutes=1), log_at=1, notify_at=1)
    assert [body for _at, body in _alert_emails()] == [_body(first.id), _body(second.id)]

    assert jobs.tick(now=first.closes_at) == [first.id]  # the second is still open
    assert jobs.anonymise(now=first.closes_at + timedelta(days=KEEP), after_days=KEEP) == \
        [first.id]

    db.session.expire_all()
    assert _alert_emails() == [(NOW + timedelta(hours=2, minutes=1), _body(second.id))]


def _alerted_after_closing(people, scheme):
    """A signature from IP half an hour before the petition closes; the hourly report, run
    20 minutes after closing, still counts it and emails the moderators."""
    petition = open_petition(scheme, people)
    sign_and_confirm(petition.id, "late@example.org", now=petition.closes_at
                     - timedelta(minutes=30), ip=IP)
    jobs.tick(now=petition.closes_at)
    alerted = petition.closes_at + timedelta(minutes=20)
    moderation.report_trending(now=alerted, log_at=1, notify_at=1)
    assert _alert_emails() == [(alerted, _body(petition.id))]
    return petition, alerted


def test_an_alert_email_queued_exactly_at_the_cutoff_is_deleted(people, scheme):
    petition, alerted = _alerted_after_closing(people, scheme)
    assert jobs.anonymise(now=alerted + timedelta(days=KEEP), after_days=KEEP) == [petition.id]
    db.session.expire_all()
    assert _alert_emails() == []


def test_an_alert_email_queued_after_the_cutoff_is_kept(people, scheme):
    petition, alerted = _alerted_after_closing(people, scheme)
    assert jobs.anonymise(now=alerted + timedelta(days=KEEP, seconds=-1), after_days=KEEP) == \
        [petition.id]
    db.session.expire_all()
    assert _alert_emails() == [(alerted, _body(petition.id))]


def test_a_negative_retention_is_refused_in_words():
    with pytest.raises(ValueError) as refused:
        jobs.anonymise(now=NOW, after_days=-1)
    assert str(refused.value) == "after_days must be >= 0"
