"""Moderators see which IPs and email domains sign a petition fastest in the last hour,
per petition, largest first, and get one email per burst in their own language."""
from __future__ import annotations

from datetime import timedelta

from babel.support import Translations
from sqlalchemy import select

from core.db import db
from core.mail import OutboxEmail
from petitions import moderation
from petitions.models import Signature
from petitions.trending import Level, TrendingItem
from tests.petitions.helpers import T0, open_petition

NOW = T0 + timedelta(days=2)
HOUR_AGO = NOW - timedelta(hours=1)


def _sign(petition_id, n, *, ip, domain, at=NOW - timedelta(minutes=10), tag=""):
    """n signatures straight into the table (no signing path: this is about counting)."""
    for i in range(n):
        email = f"s{i}{tag}{ip}@{domain}"
        db.session.add(Signature(petition_id=petition_id, name="S", email=email,
                                 canonical_email=email, email_domain=domain, ip=ip,
                                 created_at=at))
    db.session.commit()


def test_the_last_hour_counts_per_petition_edges_included(people, scheme, petition):
    other = open_petition(scheme, people, title="Light the park path")
    assert petition.id < other.id
    _sign(petition.id, 2, ip="203.0.113.9", domain="zz.example")
    _sign(other.id, 2, ip="203.0.113.1", domain="aa.example")  # same count: petition id first
    _sign(petition.id, 1, ip="198.51.100.2", domain="b.example", at=HOUR_AGO)  # first instant
    _sign(petition.id, 1, ip="198.51.100.3", domain="c.example", at=NOW)  # last instant
    _sign(petition.id, 3, ip="192.0.2.50", domain="mid.example", tag="p")
    _sign(other.id, 1, ip="192.0.2.50", domain="mid.example", tag="o")  # same IP, other petition
    _sign(petition.id, 1, ip="198.51.100.4", domain="old.example",
          at=HOUR_AGO - timedelta(seconds=1))  # just before the hour
    _sign(petition.id, 1, ip="198.51.100.5", domain="late.example",
          at=NOW + timedelta(seconds=1))  # after now
    _sign(petition.id, 1, ip="", domain="")  # forgotten signer: nothing to show
    assert moderation.trending(now=NOW) == {
        "ips": [(petition.id, "192.0.2.50", 3), (petition.id, "203.0.113.9", 2),
                (other.id, "203.0.113.1", 2), (petition.id, "198.51.100.2", 1),
                (petition.id, "198.51.100.3", 1), (other.id, "192.0.2.50", 1)],
        "domains": [(petition.id, "mid.example", 3), (petition.id, "zz.example", 2),
                    (other.id, "aa.example", 2), (petition.id, "b.example", 1),
                    (petition.id, "c.example", 1), (other.id, "mid.example", 1)]}
    assert moderation.trending(now=NOW, limit=2, min_count=2)["ips"] == [
        (petition.id, "192.0.2.50", 3), (petition.id, "203.0.113.9", 2)]


def test_the_dashboard_shows_the_top_twenty(petition):
    for i in range(21):
        _sign(petition.id, 1, ip=f"192.0.2.{100 + i}", domain=f"d{100 + i}.example")
    top = moderation.trending(now=NOW)
    assert top["ips"] == [(petition.id, f"192.0.2.{100 + i}", 1) for i in range(20)]
    assert len(top["domains"]) == 20
    report = moderation.report_trending(now=NOW, log_at=1, notify_at=50)
    assert [(item.value, level, emailed) for item, level, emailed in report
            if item.kind == "ip"] == [(f"192.0.2.{100 + i}", Level.LOG, False) for i in range(20)]


def test_the_report_looks_at_one_hour_and_its_limit(app, petition):
    _sign(petition.id, 3, ip="192.0.2.7", domain="now.example")
    _sign(petition.id, 4, ip="192.0.2.8", domain="now2.example")
    _sign(petition.id, 9, ip="198.51.100.77", domain="earlier.example",
          at=NOW - timedelta(minutes=90))
    report = moderation.report_trending(now=NOW, log_at=2, notify_at=50, limit=1)
    assert report == [(TrendingItem(petition.id, "domain", "now2.example", 4), Level.LOG,
                       False),
                      (TrendingItem(petition.id, "ip", "192.0.2.8", 4), Level.LOG, False)]
    assert db.session.scalars(select(OutboxEmail.subject).where(
        OutboxEmail.subject.like("Trending%"))).all() == []  # nothing reached the alert line


def test_a_burst_emails_each_moderator_once_in_their_language(people, petition):
    people["moderator"].language = "zh_Hant"
    db.session.commit()
    _sign(petition.id, 12, ip="203.0.113.66", domain="bots.example")
    before = {e.id for e in db.session.scalars(select(OutboxEmail))}
    report = moderation.report_trending(now=NOW, log_at=5, notify_at=12)
    assert [(i.kind, i.value, i.count, level, emailed) for i, level, emailed in report] == [
        ("domain", "bots.example", 12, Level.NOTIFY, True),
        ("ip", "203.0.113.66", 12, Level.NOTIFY, True)]
    zh = Translations.load("translations", ["zh_Hant"])
    line = zh.gettext("%(count)s signatures in the last hour on petition %(id)s came from the "
                      "%(kind)s %(value)s. Review them in the moderation queue.")
    subject = zh.gettext("Trending signatures on petition %(id)s") % {"id": petition.id}
    sent = [(e.to, e.subject, e.body) for e in db.session.scalars(
        select(OutboxEmail).order_by(OutboxEmail.id)) if e.id not in before]
    assert sent == [
        ("mod@example.org", subject, line % {"count": "12", "id": petition.id,
                                             "kind": zh.gettext("email domain"),
                                             "value": "bots.example"}),
        ("mod@example.org", subject, line % {"count": "12", "id": petition.id,
                                             "kind": zh.gettext("IP address"),
                                             "value": "203.0.113.66"})]
    assert subject != f"Trending signatures on petition {petition.id}"
    assert zh.gettext("IP address") != "IP address"
    assert zh.gettext("email domain") != "email domain"
    # The same hour again: logged, nobody emailed twice.
    again = moderation.report_trending(now=NOW + timedelta(minutes=1), log_at=5, notify_at=12)
    assert [emailed for _i, _level, emailed in again] == [False, False]
