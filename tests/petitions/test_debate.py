"""Debate outcome (EP `debate_outcome.rb`): recorded by moderators, shown, exported, audited."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxEmail
from petitions import lifecycle, moderation, service
from petitions.lifecycle import DebateOutcome, DebateState
from petitions.models import Petition
from tests.petitions.helpers import T0, sign_and_confirm

NOW = T0 + timedelta(days=5)
FORM = {"outcome": "debated", "debated_on": "2026-03-05",
        "summary": "MPs debated the potholes for three hours.",
        "transcript_url": "https://hansard.example/debates/42",
        "video_url": "https://video.example/42"}
LINK = "https://civic.example/petitions/1"


pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.fixture
def debatable(petition):
    """The small scheme debates at 6 signatures; the fixture petition has 3."""
    for i in range(3):
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW)
    db.session.expire_all()
    assert petition.debate_state == DebateState.AWAITING
    return petition


def test_a_moderator_records_the_debate_and_everyone_sees_it(app, client, login_as, people,
                                                             debatable):
    pid = debatable.id
    login_as(client, people["moderator"])
    page = client.get(f"/petitions/{pid}").get_data(True)
    assert "Awaiting a debate" in page and f"/petitions/{pid}/debate" in page
    form = client.get(f"/petitions/{pid}/debate").get_data(True)
    assert '<legend>Outcome</legend>' in form and 'for="summary"' in form
    assert 'for="transcript_url"' in form and "<script>" not in form
    response = client.post(f"/petitions/{pid}/debate", data=FORM)
    assert response.status_code == 302
    db.session.expire_all()
    p = db.session.get(Petition, pid)
    assert (p.debate_state, p.debated_on, p.debate_outcome_at) == (
        DebateState.DEBATED, date(2026, 3, 5), NOW)
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "petition.debate_outcome"))
    assert entry.actor_id == people["moderator"].id
    assert entry.details == {"outcome": "debated", "on": "2026-03-05"}

    public = app.test_client()
    page = public.get(f"/petitions/{pid}").get_data(True)
    assert "MPs debated the potholes" in page
    assert 'href="https://hansard.example/debates/42"' in page
    assert f"/petitions/{pid}/debate" not in page  # no staff link for the public
    record = public.get(f"/petitions/{pid}.json").get_json()
    assert record["debate_state"] == "debated"
    assert record["debate"] == {"outcome": "debated", "date": "2026-03-05",
                                "summary": FORM["summary"],
                                "transcript_url": FORM["transcript_url"],
                                "video_url": FORM["video_url"]}
    rows = list(csv.DictReader(io.StringIO(public.get("/petitions/export.csv").get_data(True))))
    row = next(r for r in rows if r["id"] == str(pid))
    assert (row["debate_state"], row["debated_on"], row["debate_transcript_url"]) == (
        "debated", "2026-03-05", FORM["transcript_url"])
    exported = public.get("/petitions/export.json").get_json()["petitions"]
    assert next(r for r in exported if r["id"] == pid)["debate"]["summary"] == FORM["summary"]


def test_not_debated_needs_no_links(client, login_as, people, debatable):
    login_as(client, people["admin"])
    data = {"outcome": "not_debated", "debated_on": "2026-03-06",
            "summary": "The committee decided not to debate it."}
    assert client.post(f"/petitions/{debatable.id}/debate", data=data).status_code == 302
    db.session.expire_all()
    p = db.session.get(Petition, debatable.id)
    assert p.debate_state == DebateState.NOT_DEBATED and p.debate_video_url == ""
    assert "Not debated" in client.get(f"/petitions/{debatable.id}").get_data(True)


@pytest.mark.parametrize("field,value", [
    ("transcript_url", "javascript:alert(1)"), ("video_url", "data:text/html,x"),
    ("video_url", "ftp://example.org/v"), ("summary", ""), ("summary", "x" * 501),
    ("debated_on", "not a date"), ("outcome", "awaiting"),
])
def test_bad_debate_input_is_refused_and_changes_nothing(client, login_as, people, debatable,
                                                         field, value):
    login_as(client, people["moderator"])
    response = client.post(f"/petitions/{debatable.id}/debate", data=FORM | {field: value})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Petition, debatable.id).debate_state == DebateState.AWAITING


def test_an_outcome_before_the_threshold_or_twice_is_an_invalid_transition(people, petition,
                                                                           client, login_as):
    outcome = DebateOutcome(outcome=DebateState.DEBATED, on=date(2026, 3, 5), summary="Done.")
    with pytest.raises(lifecycle.InvalidTransition, match="not_needed"):
        moderation.record_debate_outcome(petition.id, actor=people["moderator"],
                                         outcome=outcome, now=NOW, petition_link=LINK)
    login_as(client, people["moderator"])
    response = client.post(f"/petitions/{petition.id}/debate", data=FORM)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(True)
    assert "cannot be recorded while the debate is “No debate needed yet”" in page
    for i in range(3):
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW)
    moderation.record_debate_outcome(petition.id, actor=people["moderator"], outcome=outcome,
                                     now=NOW, petition_link=LINK)
    with pytest.raises(lifecycle.InvalidTransition, match="debated"):
        moderation.record_debate_outcome(petition.id, actor=people["moderator"],
                                         outcome=outcome, now=NOW, petition_link=LINK)
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "petition.debate_outcome").limit(1)) is not None


def test_signers_who_asked_for_news_are_emailed_the_outcome(client, login_as, people, petition):
    for i in range(2):
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW, notify=True)
    sign_and_confirm(petition.id, "quiet@example.org", now=NOW, notify=False)
    service.sign(petition.id, name="Pat Pending", email="pending@example.org", area=None,
                 ip="203.0.113.9", notify=True, now=NOW, confirm_link=lambda t: t)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).debate_state == DebateState.AWAITING
    before = set(db.session.scalars(select(OutboxEmail.id)))

    login_as(client, people["moderator"])
    response = client.post(f"/petitions/{petition.id}/debate", data=FORM, follow_redirects=True)
    assert "3 signers will be emailed" in response.get_data(True)

    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.id.not_in(before))).all()
    # the creator's own signature asks for news; the quiet and the unconfirmed signer get none
    assert sorted(m.to for m in mails) == ["creator@example.org", "fan0@example.org",
                                           "fan1@example.org"]
    assert all("was debated" in m.subject and FORM["summary"] in m.body
               and f"/petitions/{petition.id}" in m.body for m in mails)


def test_every_opted_in_signer_gets_the_outcome_whatever_the_batch_size(monkeypatch, people,
                                                                       petition):
    for i in range(4):  # with the creator, 5 signers asked for news; 7 signatures ≥ 6
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW, notify=True)
    monkeypatch.setattr(moderation, "EMAIL_BATCH", 2)  # batches of 2, 2 and 1
    before = set(db.session.scalars(select(OutboxEmail.id)))
    outcome = DebateOutcome(outcome=DebateState.DEBATED, on=date(2026, 3, 5),
                            summary=FORM["summary"])
    sent = moderation.record_debate_outcome(petition.id, actor=people["moderator"],
                                            outcome=outcome, now=NOW, petition_link=LINK)
    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.id.not_in(before))).all()
    assert sent == 5
    assert sorted(m.to for m in mails) == ["creator@example.org", "fan0@example.org",
                                           "fan1@example.org", "fan2@example.org",
                                           "fan3@example.org"]
    assert all(FORM["summary"] in m.body and "was debated" in m.subject for m in mails)
