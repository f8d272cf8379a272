"""Wrongly typed form bodies get a clear 400, never a 500, and change nothing (issue 13,
finding 6): a JSON body whose values are not strings, or a file where a text field belongs,
posted to every route in app.url_map that accepts POST (by a user holding every role, so the
forms are really reached). Also: a Host header with a 64-character label."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.forms import Form
from petitions.models import Petition
from tests.petitions.helpers import T0, open_petition, sponsoring

NOW = T0 + timedelta(days=3)
pytestmark = pytest.mark.frozen_clock(NOW)


def _all_forms(cls=Form):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_forms(sub)


def _field_names() -> set[str]:
    names = set()
    for form in _all_forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if hasattr(unbound, "field_class"):
                names.add(name)
                for prefix in ("pw", "em", "del", "ar", "areas"):
                    names.add(f"{prefix}-{name}")
    return names


def _post_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
                  key=lambda rule: rule.rule)


def _row_counts():
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture
def world(app, client, people, scheme, login_as):
    """An open petition and a sponsoring one, reachable by one all-roles user."""
    from accounts.models import UserRole

    admin = people["admin"]
    admin.role_rows += [UserRole(role=r) for r in ("moderator", "official")]
    db.session.commit()
    opened = open_petition(scheme, people)
    gathering = sponsoring(scheme, people, title="Plant trees", action="Plant more trees.",
                           now=NOW)
    budget = _voting_budget(owner=admin)
    login_as(client, admin)
    gathering = db.session.get(Petition, gathering.id)
    return {"budget": budget.id, "budget_project": budget.projects[0].id,
            "open": opened.id, "sponsoring": gathering.id,
            "sponsor_token": gathering.sponsor_token, "scheme": scheme.id,
            "user": people["citizen"].id}


def _voting_budget(*, owner):
    """A public knapsack budget in its voting phase, so the budgets forms are reached."""
    from core.process import Audience, Commitment
    from pb.models import BudgetProcess, BudgetProject, Phase

    process = BudgetProcess(title="Riverside", commitment=Commitment.BINDING,
                            audience=Audience.PUBLIC, owner_id=owner.id, currency="EUR",
                            voting_at=NOW - timedelta(days=1), results_at=NOW + timedelta(days=9))
    process.set_rules(budget=6000, vote_type="knapsack")
    process.projects = [BudgetProject(project_id="1", name="Benches", cost=4000, category="parks")]
    db.session.add(process)
    process.move_to(Phase.VOTING, now=NOW - timedelta(days=1))
    db.session.commit()
    return process


def _url(rule, world) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "petition_id":
            # (submit takes no form at all: on the open petition, not the user's, a 404)
            values[arg] = world["sponsoring"] if "sponsor" in rule.rule else world["open"]
        elif arg == "token":
            values[arg] = world["sponsor_token"] if "sponsor" in rule.rule else "x" * 40
        elif arg == "scheme_id":
            values[arg] = world["scheme"]
        elif arg == "user_id":
            values[arg] = world["user"]
        elif arg == "process_id":
            values[arg] = world["budget"]
        elif arg == "project_pk":
            values[arg] = world["budget_project"]
        else:
            values[arg] = 1
    return rule.build(values)[1]


# Every value type JSON has that is not a string.
JSON_VALUES = [12345, 1.5, True, None, [1, 2], {"nested": "object"}]


def _rules():
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [rule.rule for rule in _post_rules(app)]


RULES = _rules()
# Routes that read no text field for this user (a bare confirmation button, no form, a
# redirect for a logged-in user, an unknown token): the body is ignored, so any answer
# below 500 that changes no table is right.
IGNORE_THE_BODY = {"/account/confirm/resend", "/account/language", "/language", "/logout",
                   "/petitions/<int:petition_id>/submit", "/petitions/confirm/<token>",
                   "/register"}


# Budget and conversation routes check the phase and the object before the form, so a
# refusal there may be another 4xx; it must still be a 4xx that changes nothing.
PHASE_GUARDED = ("/budgets/", "/conversations/")


def _check(rule, response):
    if rule.rule in IGNORE_THE_BODY:
        assert response.status_code < 500, (rule.rule, response.status_code)
    elif rule.rule.startswith(PHASE_GUARDED):
        assert 400 <= response.status_code < 500, (rule.rule, response.status_code)
    else:
        assert response.status_code == 400, (rule.rule, response.status_code)


@pytest.mark.parametrize("rule_path", RULES)
def test_json_values_that_are_not_strings_get_400(app, client, world, rule_path):
    rule = next(r for r in _post_rules(app) if r.rule == rule_path)
    url = _url(rule, world)
    names = _field_names()
    for value in JSON_VALUES:
        before = _row_counts()
        response = client.post(url, json=dict.fromkeys(names, value))
        _check(rule, response)
        db.session.rollback()
        assert _row_counts() == before, (url, value)


@pytest.mark.parametrize("rule_path", RULES)
def test_a_file_in_place_of_a_text_field_gets_400(app, client, world, rule_path):
    rule = next(r for r in _post_rules(app) if r.rule == rule_path)
    url = _url(rule, world)
    before = _row_counts()
    data = {name: (io.BytesIO(b"not text"), "field.txt") for name in _field_names()}
    response = client.post(url, data=data, content_type="multipart/form-data")
    _check(rule, response)
    db.session.rollback()
    assert _row_counts() == before, url


@pytest.mark.parametrize("path", ["/register", "/login", "/forgot-password"])
def test_anonymous_forms_refuse_mistyped_bodies(app, path):
    client = app.test_client()
    before = _row_counts()
    for value in JSON_VALUES:
        response = client.post(path, json={"email": value, "password": value,
                                           "display_name": value})
        assert response.status_code == 400, (path, value)
    response = client.post(path, data={"email": (io.BytesIO(b"x"), "e.txt"),
                                       "password": "a long enough password"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert _row_counts() == before


def test_a_json_body_that_is_not_an_object_gets_400(client, world):
    for body in ([1, 2], "text", 5):
        assert client.post("/forgot-password", json=body).status_code == 400


def test_every_post_route_is_covered():
    assert len(RULES) >= 20 and "/petitions/<int:petition_id>/sign" in RULES
