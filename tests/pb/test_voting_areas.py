"""Eligibility by area (issue 11 "Voting"): an account says which of the city's areas
(config AREAS) it lives in; an official limits a budget to some areas; ballots from accounts
outside are refused with a clear 403 and nothing is stored."""
from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from accounts.models import User
from core.audit import AuditEntry
from core.db import db
from pb.models import BudgetProcess
from tests.pb.helpers import T0, ballots

AREAS = ["Old Town", "Riverside", "Hillcrest"]


@pytest.fixture(autouse=True)
def city(app):
    app.config["AREAS"] = AREAS
    with time_machine.travel(T0.replace(day=3), tick=False):
        yield


def _limit(client, process, *areas):
    return client.post(f"/budgets/{process.id}/eligibility/areas",
                       data={"areas-areas": list(areas)})


def _vote(client, process):
    return client.post(f"/budgets/{process.id}/ballot/confirm",
                       data={"process": process.id, "project": ["1"]})


def _area_of(user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).area


def test_an_account_chooses_its_area_from_the_citys_areas(client, people, login_as):
    citizen = people["citizen"]
    login_as(client, citizen)
    page = client.get("/account").text
    assert all(f'<option value="{a}">{a}</option>' in page for a in AREAS)
    assert client.post("/account/area", data={"ar-area": "Riverside"}).status_code == 302
    assert _area_of(citizen) == "Riverside"
    refused = client.post("/account/area", data={"ar-area": "Atlantis"})
    assert refused.status_code == 400 and "Choose one of the areas" in refused.text
    assert _area_of(citizen) == "Riverside"
    assert client.post("/account/area", data={"ar-area": ""}).status_code == 302
    assert _area_of(citizen) == ""


def test_an_official_limits_a_budget_to_areas(client, people, login_as, make_process):
    process = make_process("approval")
    login_as(client, people["citizen"])
    assert _limit(client, process, "Riverside").status_code == 403
    login_as(client, people["official"])
    assert "Only residents of these areas may vote" in client.get(
        f"/budgets/{process.id}/manage").text
    assert _limit(client, process, "Riverside", "Old Town").status_code == 302
    db.session.expire_all()
    assert db.session.get(BudgetProcess, process.id).eligible_areas == ["Old Town",
                                                                        "Riverside"]
    assert _limit(client, process, "Riverside", "Atlantis").status_code == 400
    db.session.expire_all()
    assert db.session.get(BudgetProcess, process.id).eligible_areas == ["Old Town",
                                                                        "Riverside"]
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "budget.eligible_areas")) == "budget.eligible_areas"
    assert client.get(f"/budgets/{process.id}.json").get_json()["eligible_areas"] == [
        "Old Town", "Riverside"]
    assert _limit(client, process).status_code == 302  # none ticked: every area again
    db.session.expire_all()
    assert db.session.get(BudgetProcess, process.id).eligible_areas == []


def test_ballots_from_outside_the_areas_are_refused_and_nothing_is_stored(
        client, people, login_as, make_process):
    process = make_process("approval")
    login_as(client, people["official"])
    _limit(client, process, "Riverside")
    citizen, other = people["citizen"], people["other"]
    login_as(client, citizen)  # no area yet
    page = client.get(f"/budgets/{process.id}/ballot").text
    assert "Only residents of these areas may vote: Riverside." in page
    refused = _vote(client, process)
    assert refused.status_code == 403
    assert "This budget is for residents of Riverside" in refused.text
    assert ballots(process.id) == 0
    client.post("/account/area", data={"ar-area": "Hillcrest"})
    login_as(client, citizen)
    assert _vote(client, process).status_code == 403 and ballots(process.id) == 0
    login_as(client, other)
    client.post("/account/area", data={"ar-area": "Riverside"})
    login_as(client, other)
    assert _vote(client, process).status_code == 302
    assert ballots(process.id) == 1


def test_an_area_limit_and_an_email_list_both_apply(client, people, login_as, make_process):
    from pb import voting

    process = make_process("approval")
    voting.set_eligible_emails(process.id, "other@example.org", actor=people["official"],
                               now=T0)
    voting.set_eligible_areas(process.id, ["Riverside"], allowed=AREAS,
                              actor=people["official"], now=T0)
    for person in ("citizen", "other"):
        db.session.get(User, people[person].id).area = "Riverside"
    db.session.commit()
    login_as(client, people["citizen"])  # right area, not on the list
    assert _vote(client, process).status_code == 403
    login_as(client, people["other"])
    assert _vote(client, process).status_code == 302
    assert ballots(process.id) == 1
    with pytest.raises(ValueError):
        voting.set_eligible_areas(process.id, ["Nowhere"], allowed=AREAS,
                                  actor=people["official"], now=T0)


def test_deleting_an_account_forgets_its_area(app, make_user):
    from accounts import service

    user = make_user(password="a long enough passphrase")
    service.set_area(user, "Old Town", areas=AREAS)
    service.delete_account(user, password="a long enough passphrase")
    assert _area_of(user) == ""
