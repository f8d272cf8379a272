"""Charlie's petition from draft to an answered, closed petition, on a frozen clock."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxEmail
from petitions import moderation
from petitions.lifecycle import PetitionState, ResponseState
from tests.petitions.helpers import (
    T0,
    open_petition,
    reload,
    sign_and_confirm,
    sponsoring,
    token_for,
)


def test_charlies_petition_goes_from_draft_to_an_answered_closed_petition(
        app, client, login_as, people, scheme):
    with time_machine.travel(T0, tick=False):
        login_as(client, people["creator"])
        r = client.post("/petitions/new", data={
            "scheme_id": scheme.id, "title": "Fix the potholes on Mill Lane",
            "action": "Repair them all this year.", "create": "1"})
        assert r.status_code == 302
        pid = int(r.headers["Location"].rsplit("/", 1)[1])
        assert reload(pid).state == PetitionState.DRAFT
        assert client.post(f"/petitions/{pid}/submit").status_code == 302
        petition = reload(pid)
        assert (petition.state, petition.signature_count) == (PetitionState.SPONSORING, 1)

        # Two sponsors sign through the sponsor link and confirm by email.
        client.get("/logout")
        anon = app.test_client()
        for i in range(2):
            r = anon.post(f"/petitions/{pid}/sponsor/{petition.sponsor_token}", data={
                "name": f"Laura {i}", "email": f"laura{i}@example.org", "eligible": "y"})
            assert "Check your email" in r.get_data(as_text=True)
            token = token_for(pid, f"laura{i}@example.org")
            assert anon.get(f"/petitions/confirm/{token}").status_code == 200  # GET changes nothing
            assert reload(pid).signature_count == 1 + i
            assert anon.post(f"/petitions/confirm/{token}").status_code == 200
        assert reload(pid).state == PetitionState.AWAITING_MODERATION

        # The moderator opens it: the scheme's numbers are copied onto the petition.
        mod = app.test_client()
        login_as(mod, people["moderator"])
        assert mod.post(f"/petitions/{pid}/approve").status_code == 302
        petition = reload(pid)
        assert petition.state == PetitionState.OPEN
        assert petition.closes_at == T0 + timedelta(days=30)
        assert db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "petition.approved")).actor_id == people["moderator"].id

    # Ten days later the fourth signature reaches the response threshold (4).
    reached = T0 + timedelta(days=10)
    with time_machine.travel(reached, tick=False):
        sign_and_confirm(pid, "sam@example.org", now=reached, notify=True)
        petition = reload(pid)
        assert petition.signature_count == 4  # creator + 2 sponsors + Sam
        assert petition.response_state == ResponseState.AWAITING
        assert petition.response_threshold_reached_at == reached
        assert petition.response_due_at == reached + timedelta(days=10)

    # The due date passes: the officials' dashboard shows it overdue.
    late = reached + timedelta(days=13)
    with time_machine.travel(late, tick=False):
        official = app.test_client()
        login_as(official, people["official"])
        page = official.get("/petitions/officials").get_data(as_text=True)
        assert "3 days overdue" in page
        # The window ended at T0+30d; before any tick the page already says closed.
        assert reload(pid).state == PetitionState.OPEN
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        page = app.test_client().get(f"/petitions/{pid}").get_data(as_text=True)
        assert "Closed" in page and "Sign this petition" not in page
        r = app.test_client().post(f"/petitions/{pid}/sign", data={
            "name": "Late", "email": "late@example.org", "eligible": "y"})
        assert r.status_code == 409
        assert token_for(pid, "late@example.org") is None
        assert app.test_cli_runner().invoke(args=["petitions", "tick"]).output.startswith(
            "closed 1")
        assert reload(pid).state == PetitionState.CLOSED

        # The official previews, then publishes; only signers who opted in are emailed.
        login_as(official, people["official"])  # a fresh session: 18 days have passed
        r = official.post(f"/petitions/{pid}/respond", data={
            "summary": "We will fix Mill Lane in May.", "details": "Budget approved.",
            "preview": "1"})
        assert r.status_code == 200 and "We will fix Mill Lane in May." in r.get_data(True)
        assert reload(pid).responded_at is None
        r = official.post(f"/petitions/{pid}/respond", data={
            "summary": "We will fix Mill Lane in May.", "details": "Budget approved.",
            "publish": "1"})
        assert r.status_code == 302
        petition = reload(pid)
        assert petition.response_state == ResponseState.RESPONDED
        assert petition.responder_id == people["official"].id
        mails = db.session.scalars(select(OutboxEmail.to).where(
            OutboxEmail.subject.like("Response to%"))).all()
        assert sorted(mails) == ["creator@example.org", "sam@example.org"]  # not the sponsors


def test_frozen_thresholds_survive_a_scheme_change(app, people, scheme):
    petition = open_petition(scheme, people)
    fields = {name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS}
    moderation.save_scheme(scheme.id, actor=people["admin"], now=T0,
                           **{**fields, "response_threshold": 999, "window_days": 1,
                              "response_due_days": 1, "debate_threshold": 5000})
    petition = reload(petition.id)
    assert (petition.response_threshold, petition.window_days, petition.response_due_days,
            petition.debate_threshold) == (4, 30, 10, 6)
    assert petition.closes_at == T0 + timedelta(hours=1, days=30)
    later = open_petition(reload(petition.id).scheme, people, title="A later petition")
    assert later.response_threshold == 999


def _rejected(scheme, people, *, title, action, reason):
    p = sponsoring(scheme, people, title=title, action=action, now=T0)
    token = reload(p.id).sponsor_token
    for i in range(2):
        sign_and_confirm(p.id, f"s{i}@example.org", now=T0, sponsor_token=token)
    return moderation.reject(p.id, actor=people["moderator"], reason=reason, details="",
                             now=T0)


def test_a_rejected_offensive_petition_is_hidden_everywhere(app, client, people, scheme):
    p = _rejected(scheme, people, title="Something offensive", action="Rude words.",
                  reason="offensive")
    duplicate = _rejected(scheme, people, title="Potholes again", action="Same as before.",
                          reason="duplicate")
    assert reload(p.id).hidden and not reload(duplicate.id).hidden
    body = client.get(f"/petitions/{p.id}.json").get_json()
    assert body["title"] is None and body["rejection_code"] == "offensive"
    assert "Rude words" not in client.get("/petitions/export.csv").get_data(as_text=True)
    listing = client.get("/petitions/?status=rejected")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert f'href="/petitions/{duplicate.id}"><bdi>Potholes again</bdi>' in page
    assert f'href="/petitions/{p.id}"' not in page and "Something offensive" not in page
