"""The hourly trending report: pure classification, then `flask petitions trending`."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from core.mail import OutboxEmail
from petitions import service
from petitions.models import TrendingAlert
from petitions.trending import Level, TrendingItem, classify, hour_of
from tests.petitions.helpers import T0

NOW = T0 + timedelta(days=2, minutes=30)  # 12:30, half-way through an hour
BOT_IP = "203.0.113.66"


def test_classify_logs_from_log_at_and_notifies_from_notify_at():
    items = [TrendingItem(1, "ip", "a", 99), TrendingItem(1, "ip", "b", 100),
             TrendingItem(2, "domain", "spam.example", 200), TrendingItem(3, "ip", "c", 250)]
    assert [(i.value, level) for i, level in classify(items, log_at=100, notify_at=200)] == [
        ("c", Level.NOTIFY), ("spam.example", Level.NOTIFY), ("b", Level.LOG)]
    with pytest.raises(ValueError):
        classify(items, log_at=300, notify_at=200)


def test_an_hour_is_the_clock_hour():
    assert hour_of(NOW) == NOW.replace(minute=0)
    assert hour_of(NOW + timedelta(minutes=29, seconds=59)) == hour_of(NOW)
    assert hour_of(NOW + timedelta(minutes=30)) != hour_of(NOW)


def _burst(petition_id, n, *, at, ip=BOT_IP, domain="bots.example", start=0):
    for i in range(start, start + n):
        service.sign(petition_id, name=f"Bot {i}", email=f"bot{i}@{domain}", area=None, ip=ip,
                     notify=False, now=at, confirm_link=lambda t: f"/c/{t}")


def _alerts():
    return db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.subject.like("Trending signatures%")).order_by(OutboxEmail.id)).all()


def _run(app, runner, at):
    app.config.update(PETITIONS_TRENDING_LOG_AT=3, PETITIONS_TRENDING_NOTIFY_AT=5)
    with time_machine.travel(at, tick=False):
        result = runner.invoke(args=["petitions", "trending"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_report_logs_then_emails_each_moderator_once_per_hour(app, runner, people,
                                                                  petition, caplog):
    _burst(petition.id, 3, at=NOW - timedelta(minutes=10), ip="192.0.2.9", domain="ok.example")
    with caplog.at_level("WARNING", logger="petitions.moderation"):
        output = _run(app, runner, NOW)
    assert "192.0.2.9: 3 [log]" in output and "ok.example: 3 [log]" in output
    assert "192.0.2.9" in caplog.text and _alerts() == []  # logged, below the alert line
    _burst(petition.id, 5, at=NOW - timedelta(minutes=5))
    old = NOW - timedelta(hours=2)
    _burst(petition.id, 9, at=old, ip="198.51.100.200", domain="old.example", start=100)
    output = _run(app, runner, NOW)
    assert f"{BOT_IP}: 5 [notify, moderators emailed]" in output
    assert "bots.example: 5 [notify, moderators emailed]" in output
    assert "198.51.100.200" not in output  # outside the last hour
    alerts = _alerts()
    # One moderator in `people` (admins are not moderators), one email per IP and per domain.
    assert [a.to for a in alerts] == ["mod@example.org"] * 2
    assert any(BOT_IP in a.body for a in alerts) and any("bots.example" in a.body for a in alerts)
    # Same hour, more signatures: still no second email for the same petition and IP.
    _burst(petition.id, 2, at=NOW + timedelta(minutes=5), start=50)
    output = _run(app, runner, NOW + timedelta(minutes=10))
    assert f"{BOT_IP}: 7 [notify]" in output and len(_alerts()) == 2
    # The next hour the burst is still within the last 60 minutes: alert again, once.
    _run(app, runner, NOW + timedelta(minutes=40))
    _run(app, runner, NOW + timedelta(minutes=41))
    assert len(_alerts()) == 4
    assert db.session.scalar(select(TrendingAlert.signatures).where(
        TrendingAlert.kind == "ip", TrendingAlert.hour == hour_of(NOW))) == 5


def test_the_default_thresholds_are_100_and_200(app, runner, petition):
    _burst(petition.id, 5, at=NOW)
    with time_machine.travel(NOW, tick=False):
        output = runner.invoke(args=["petitions", "trending"]).output
    assert "0 trending item(s)" in output
