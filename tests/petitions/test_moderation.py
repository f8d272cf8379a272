"""Staff side: the visibility threshold, invalidation (by time window, and below the lines it
un-crosses), and official responses (length limits, emails to every opted-in signer)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxEmail
from core.process import Commitment
from petitions import moderation, service
from petitions.lifecycle import DebateState, ResponseState
from petitions.models import Signature
from tests.petitions.helpers import (
    SMALL_RULES,
    T0,
    count_rows,
    open_petition,
    reload,
    sign_and_confirm,
)

NOW = T0 + timedelta(days=2)
LINK = "https://civic.example/petitions/1"


pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.fixture
def unlisted(people):
    """A petition of a scheme listing at 3 signatures, opened with 2 (creator + 1 sponsor)."""
    scheme = moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="Listed at three", authority="Council",
        description="", commitment=Commitment.ADVISORY, moderation_sla_days=14,
        area_kind="none", area_choices="", eligibility_text="",
        **SMALL_RULES | {"sponsor_count": 1, "visibility_threshold": 3})
    return open_petition(scheme, people, title="Plant trees on Elm Street")


def _public_ids(client):
    exported = client.get("/petitions/export.json").get_json()["petitions"]
    return {r["id"] for r in exported}


def test_a_petition_is_listed_only_from_its_visibility_threshold(client, unlisted):
    pid = unlisted.id
    assert unlisted.signature_count == 2 and unlisted.listed_at is None
    assert pid not in _public_ids(client)
    assert "Plant trees on Elm Street" not in client.get("/petitions/").get_data(True)
    assert client.get(f"/petitions/{pid}").status_code == 200  # signable by its URL

    sign_and_confirm(pid, "third@example.org", now=NOW)
    assert reload(pid).listed_at == NOW
    assert pid in _public_ids(client)
    assert "Plant trees on Elm Street" in client.get("/petitions/").get_data(True)
    sign_and_confirm(pid, "fourth@example.org", now=NOW + timedelta(hours=1))
    assert reload(pid).listed_at == NOW  # stamped once


def test_invalidating_below_the_lines_clears_response_debate_and_listing(client, people,
                                                                         unlisted):
    pid = unlisted.id
    for i in range(4):  # 2 → 6: listed (3), response (4) and debate (6) thresholds
        sign_and_confirm(pid, f"bot{i}@example.org", now=NOW, ip="203.0.113.5")
    p = reload(pid)
    assert (p.response_state, p.debate_state) == (ResponseState.AWAITING, DebateState.AWAITING)
    assert p.debate_threshold_reached_at == NOW and p.listed_at == NOW

    moderation.invalidate(moderation.InvalidationCriteria(petition_id=pid, ip="203.0.113.5"),
                          actor=people["moderator"], now=NOW)
    p = reload(pid)
    assert p.signature_count == 2 == count_rows(pid)
    assert (p.response_state, p.response_threshold_reached_at) == (ResponseState.NOT_NEEDED,
                                                                   None)
    assert (p.debate_state, p.debate_threshold_reached_at) == (DebateState.NOT_NEEDED, None)
    assert p.listed_at is None and pid not in _public_ids(client)


def test_invalidation_by_time_window_takes_since_inclusive_until_exclusive(people, petition):
    pid = petition.id
    times = {"before": NOW - timedelta(hours=2), "at-since": NOW - timedelta(hours=1),
             "inside": NOW - timedelta(minutes=30), "at-until": NOW}
    for name, at in times.items():
        sign_and_confirm(pid, f"{name}@example.org", now=at, ip=None)
    service.sign(pid, name="Pending", email="pending@example.org", area=None, ip=None,
                 notify=False, now=NOW - timedelta(minutes=20), confirm_link=lambda t: t)
    before = reload(pid).signature_count
    criteria = moderation.InvalidationCriteria(petition_id=pid, since=times["at-since"],
                                               until=times["at-until"])
    assert moderation.invalidation_preview(criteria) == {"validated": 2, "pending": 1}
    assert reload(pid).signature_count == before  # the preview changes nothing

    assert moderation.invalidate(criteria, actor=people["moderator"], now=NOW) == 3
    assert reload(pid).signature_count == before - 2 == count_rows(pid)
    states = dict(db.session.execute(select(Signature.email, Signature.state)).all())
    assert [states[f"{name}@example.org"] for name in times] == [
        "validated", "invalidated", "invalidated", "validated"]
    assert states["pending@example.org"] == "invalidated"


def test_invalidation_by_ip_takes_one_address_or_a_cidr_network(people, petition):
    pid = petition.id
    for name, ip in [("a", "203.0.113.7"), ("b", "203.0.113.200"), ("c", "198.51.100.77"),
                     ("d", "2001:db8::1"), ("e", None)]:
        sign_and_confirm(pid, f"{name}@example.org", now=NOW, ip=ip)

    def hits(ip):
        criteria = moderation.InvalidationCriteria(petition_id=pid, ip=ip)
        return moderation.invalidation_preview(criteria).get("validated", 0)

    assert hits("203.0.113.7") == 1 and hits(" 203.0.113.7 ") == 1
    assert hits("203.0.113.0/24") == 2 and hits("203.0.113.0/25") == 1
    assert hits("2001:db8:0:0::1") == 1 and hits("2001:db8::/32") == 1
    for bad in ("203.0.113.999", "203.0.113.0/33", "evil.example"):
        with pytest.raises(ValueError):
            moderation.InvalidationCriteria(petition_id=pid, ip=bad)


# --- Official responses -----------------------------------------------------------------------

@pytest.fixture
def awaiting(petition):
    """The creator and 4 fans asked for news (5 opted-in signers); the response is due."""
    for i in range(4):
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW, notify=True)
    sign_and_confirm(petition.id, "quiet@example.org", now=NOW, notify=False)
    assert reload(petition.id).response_state == ResponseState.AWAITING
    return petition


def _outbox_count():
    return db.session.scalar(select(func.count(OutboxEmail.id)))


@pytest.mark.parametrize("summary,details", [("x" * 201, "Fine."), ("Fine.", "d" * 6001),
                                             ("   ", "Fine.")])
def test_a_response_too_long_or_empty_is_refused_and_changes_nothing(people, awaiting,
                                                                     summary, details):
    emails = _outbox_count()
    with pytest.raises(ValueError, match="200 characters"):
        moderation.publish_response(awaiting.id, actor=people["official"], summary=summary,
                                    details=details, now=NOW, petition_link=LINK)
    p = reload(awaiting.id)
    assert (p.response_state, p.response_summary, p.response_details, p.responded_at) == (
        ResponseState.AWAITING, "", "", None)
    assert _outbox_count() == emails
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "petition.responded")) is None


def test_a_response_at_the_length_limits_is_published(people, awaiting):
    moderation.publish_response(awaiting.id, actor=people["official"], summary="s" * 200,
                                details="d" * 6000, now=NOW, petition_link=LINK)
    p = reload(awaiting.id)
    assert p.response_state == ResponseState.RESPONDED and len(p.response_details) == 6000


def test_every_opted_in_signer_gets_the_response_whatever_the_batch_size(monkeypatch, people,
                                                                        awaiting):
    monkeypatch.setattr(moderation, "EMAIL_BATCH", 2)  # 5 signers: batches of 2, 2 and 1
    before = set(db.session.scalars(select(OutboxEmail.id)))
    sent = moderation.publish_response(awaiting.id, actor=people["official"],
                                       summary="We will fix Mill Lane.", details="",
                                       now=NOW, petition_link=LINK)
    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.id.not_in(before))).all()
    assert sent == 5
    assert sorted(m.to for m in mails) == ["creator@example.org", "fan0@example.org",
                                           "fan1@example.org", "fan2@example.org",
                                           "fan3@example.org"]
    assert all("We will fix Mill Lane." in m.body and LINK in m.body for m in mails)


@pytest.mark.parametrize("data", [{"since": "not a date", "preview": "1"},
                                  {"until": "2026-13-45T99:99", "confirm": "1"},
                                  {"ip": "203.0.113.999", "confirm": "1"},
                                  {"ip": "203.0.113.0/33", "preview": "1"},
                                  {"ip": "evil.example", "confirm": "1"},
                                  {"preview": "1"}])
def test_a_bad_invalidation_form_is_a_400_and_invalidates_nothing(client, login_as, people,
                                                                  petition, data):
    login_as(client, people["moderator"])
    before = count_rows(petition.id)
    response = client.post(f"/petitions/{petition.id}/invalidate", data=data)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(True)
    assert count_rows(petition.id) == before
