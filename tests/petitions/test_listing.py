"""The public list (filters, sorts), the open-data exports, and the staff queues' order and
time limits, as readers and staff see them through the web pages."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import insert

from core.db import db
from core.process import Audience
from petitions import jobs, moderation
from petitions.lifecycle import PetitionState
from petitions.models import Petition
from tests.petitions.helpers import SMALL_RULES, T0, open_petition, sign_and_confirm, sponsoring

DAY = timedelta(days=1)


def _awaiting_moderation(scheme, people, title, *, now=T0):
    """A petition with its two sponsors, waiting for a moderator since `now`."""
    p = sponsoring(scheme, people, title=title, action="Do something about it.", now=now)
    token = db.session.get(Petition, p.id).sponsor_token
    for i in range(2):
        sign_and_confirm(p.id, f"{title[:8].replace(' ', '')}{i}@example.org", now=now,
                         sponsor_token=token)
    return db.session.get(Petition, p.id)


def _rejected(scheme, people, title, *, reason="duplicate"):
    p = _awaiting_moderation(scheme, people, title)
    return moderation.reject(p.id, actor=people["moderator"], reason=reason, details="",
                             now=T0 + timedelta(hours=1))


def _reach_response_threshold(petition, *, at):
    """The fourth signature (threshold 4): a response is now owed within 10 days."""
    sign_and_confirm(petition.id, f"fourth{petition.id}@example.org", now=at)


def _linked_ids(html):
    """Ids of the petitions the list links to, in page order."""
    return [int(i) for i in re.findall(r'<h2><a href="/petitions/(\d+)">', html)]


def test_the_rejected_and_responded_filters_show_only_those_petitions(
        client, people, scheme):
    answered = open_petition(scheme, people, title="Answered petition")
    _reach_response_threshold(answered, at=T0 + DAY)
    moderation.publish_response(answered.id, actor=people["official"], summary="Yes.",
                                details="", now=T0 + 2 * DAY, petition_link="/")
    waiting = open_petition(scheme, people, title="Still waiting petition")
    _reach_response_threshold(waiting, at=T0 + DAY)
    rejected = _rejected(scheme, people, "Rejected duplicate petition")

    with time_machine.travel(T0 + 3 * DAY, tick=False):
        responded = client.get("/petitions/?status=responded")
        rejected_page = client.get("/petitions/?status=rejected")
    assert responded.status_code == 200 and rejected_page.status_code == 200
    assert _linked_ids(responded.get_data(True)) == [answered.id]
    assert _linked_ids(rejected_page.get_data(True)) == [rejected.id]
    assert "Rejected duplicate petition" in rejected_page.get_data(True)
    assert "1 petition" in rejected_page.get_data(True)


@pytest.fixture
def petitions_of_every_age(people, scheme):
    """Five petitions created in an order unlike any sort: two open (closing in 10 and 25
    days), two ended (one closed by the tick, one past its window but not yet ticked) and one
    rejected (never opened)."""
    late = open_petition(scheme, people, title="Open, closes in 25 days", now=T0 - 5 * DAY)
    rejected = _rejected(scheme, people, "Rejected, never opened")
    long_ago = open_petition(scheme, people, title="Closed 70 days ago", now=T0 - 100 * DAY)
    jobs.tick(now=T0 - 60 * DAY)  # really closed: state closed, closed_at set
    soon = open_petition(scheme, people, title="Open, closes in 10 days", now=T0 - 20 * DAY)
    recently = open_petition(scheme, people, title="Window ended 20 days ago",
                             now=T0 - 50 * DAY)
    assert db.session.get(Petition, long_ago.id).state == PetitionState.CLOSED
    assert db.session.get(Petition, recently.id).state == PetitionState.OPEN  # no tick yet
    return {"late": late.id, "rejected": rejected.id, "long_ago": long_ago.id,
            "soon": soon.id, "recently": recently.id}


@pytest.mark.parametrize(("sort", "expected"), [
    # Open ones closing soonest first, then the ended ones, most recently ended first, and
    # the never-opened rejected one last.
    ("closing", ["soon", "late", "recently", "long_ago", "rejected"]),
    # Most recently opened first; never opened last.
    ("newest", ["late", "soon", "recently", "long_ago", "rejected"]),
])
def test_the_list_sorts_by_closing_date_and_by_newest(client, petitions_of_every_age, sort,
                                                      expected):
    with time_machine.travel(T0, tick=False):
        response = client.get(f"/petitions/?sort={sort}")
    assert response.status_code == 200
    assert _linked_ids(response.get_data(True)) == [petitions_of_every_age[name]
                                                    for name in expected]


def test_the_officials_dashboard_lists_the_most_overdue_first_then_by_due_date(
        app, login_as, people, scheme):
    due_in_2 = open_petition(scheme, people, title="Due in two days")
    overdue_1 = open_petition(scheme, people, title="One day overdue")
    overdue_5 = open_petition(scheme, people, title="Five days overdue")
    _reach_response_threshold(due_in_2, at=T0 + 8 * DAY)  # due T0 + 18 days
    _reach_response_threshold(overdue_1, at=T0 + 5 * DAY)  # due T0 + 15 days
    _reach_response_threshold(overdue_5, at=T0 + DAY)  # due T0 + 11 days
    client = app.test_client()
    with time_machine.travel(T0 + 16 * DAY, tick=False):
        login_as(client, people["official"])
        response = client.get("/petitions/officials")
    assert response.status_code == 200
    rows = re.findall(r'<tr( class="pt-overdue-row")?>\s*<td[^>]*><div><a href="/petitions/'
                      r'(\d+)">.*?</tr>', response.get_data(True), re.S)
    assert [int(pid) for _, pid in rows] == [overdue_5.id, overdue_1.id, due_in_2.id]
    assert [bool(overdue) for overdue, _ in rows] == [True, True, False]
    page = response.get_data(True)
    assert page.index("5 days overdue") < page.index("1 day overdue")


@pytest.mark.parametrize(("waited", "badge", "text"), [
    (timedelta(days=11, hours=4, minutes=48), "ok", "Within target"),  # 80 % of 14 days
    (timedelta(days=11, hours=4, minutes=48, seconds=1), "nearly", "Nearly overdue"),
    (timedelta(days=14), "nearly", "Nearly overdue"),
    (timedelta(days=14, seconds=1), "overdue", "Overdue"),
])
def test_moderators_see_the_time_limit_badge_change_at_its_boundaries(
        app, login_as, people, scheme, waited, badge, text):
    _awaiting_moderation(scheme, people, "Waiting for a moderator")  # target: 14 days
    client = app.test_client()
    with time_machine.travel(T0 + waited, tick=False):
        login_as(client, people["moderator"])
        page = client.get("/petitions/moderation").get_data(True)
    assert re.findall(r'class="badge pt-sla-(\w+)">([^<]+)<', page) == [(badge, text)]


def test_the_moderation_page_repeats_no_id_and_each_form_keeps_its_token(
        app, login_as, people, scheme):
    app.config["WTF_CSRF_ENABLED"] = True
    first = _awaiting_moderation(scheme, people, "First in the queue")
    _awaiting_moderation(scheme, people, "Second in the queue")
    client = app.test_client()
    login_as(client, people["moderator"])
    page = client.get("/petitions/moderation").get_data(True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    tokens = re.findall(r'<input name="csrf_token" type="hidden" value="([^"]+)">', page)
    assert len(tokens) == 4  # approve and reject, for each petition
    approved = client.post(f"/petitions/{first.id}/approve", data={"csrf_token": tokens[0]})
    assert approved.status_code == 302
    assert db.session.get(Petition, first.id).state == PetitionState.OPEN


def test_the_exports_hold_every_listed_petition_read_in_batches(app, client, people, scheme):
    """Batches of 2 here (1,000 by default): the export reads on until the last petition."""
    app.config["PETITIONS_EXPORT_BATCH"] = 2
    listed = [open_petition(scheme, people, title=f"Listed {i}").id for i in range(5)]
    _awaiting_moderation(scheme, people, "Not published yet")
    staff_only = moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="Internal", authority="HR",
        description="", commitment="advisory", audience=Audience.STAFF,
        moderation_sla_days=14, area_kind="none", area_choices="", eligibility_text="",
        **SMALL_RULES)
    open_petition(staff_only, people, title="Staff only")
    with time_machine.travel(T0 + DAY, tick=False):
        as_json = client.get("/petitions/export.json")
        assert as_json.status_code == 200 and as_json.mimetype == "application/json"
        assert [p["id"] for p in as_json.get_json()["petitions"]] == listed
        rows = list(csv.reader(io.StringIO(client.get("/petitions/export.csv").get_data(True))))
    assert rows[0][:2] == ["id", "title"]
    assert [int(row[0]) for row in rows[1:]] == listed


def test_the_json_export_does_not_stop_at_ten_thousand_petitions(client, people, scheme):
    """It used to end silently after 10,000 petitions."""
    rows = [dict(scheme_id=scheme.id, creator_id=people["creator"].id, title=f"Petition {i}",
                 action="x", state=PetitionState.OPEN, sponsor_token=f"token-{i}",
                 created_at=T0, opened_at=T0, listed_at=T0, closes_at=T0 + 30 * DAY)
            for i in range(10_001)]
    db.session.execute(insert(Petition), rows)
    db.session.commit()
    with time_machine.travel(T0 + DAY, tick=False):
        petitions = client.get("/petitions/export.json").get_json()["petitions"]
    assert len(petitions) == 10_001
    assert petitions[-1]["title"] == "Petition 10000"
