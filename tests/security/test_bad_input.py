"""The bad-input catalogue (issue 13), run: each row of bad_input_cases.CASES is sent once on
the seeded world with a real login and CSRF token; the answer must be a 4xx and every row of
every table must be as seeded afterwards."""
from __future__ import annotations

import io

import pytest

from tests.security.bad_input_cases import CASES
from tests.security.bad_input_forms import JSON, REDIRECTED, ROLE_ESCALATION, File
from tests.security.helpers import build_world, table_contents


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("bad-input"))
    with world.app.app_context():
        world.seeded = table_contents()
    return world


def _placeholders(ids) -> dict:
    return {"budget": ids["budget_public"], "staff_budget": ids["budget_staff"],
            "knapsack_budget": ids["budget_knapsack"],
            "cumulative_budget": ids["budget_cumulative"],
            "ordinal_budget": ids["budget_ordinal"], "proposals_budget": ids["budget_proposals"],
            "project": ids["project_public"], "proposals_project": ids["project_proposals"],
            "conversation": ids["conversation_public"],
            "staff_conversation": ids["conversation_staff"],
            "statement": ids["statement_public"], "staff_statement": ids["statement_staff"],
            "petition": ids["petition_public"], "staff_petition": ids["petition_staff"],
            "draft": ids["petition_draft"], "scheme": ids["scheme_public"],
            "staff_scheme": ids["scheme_staff"], "other_user": ids["other_user"],
            "citizen_user": ids["citizen_user"]}


def _fill(value, names):
    if isinstance(value, str) and "{" in value:
        return value.format(**names)
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, dict):
        return {_fill(k, names): _fill(v, names) for k, v in value.items()}
    return value


def _token(world, role, mode):
    if mode == "valid":
        return world.csrf[role]
    if mode == "stale":  # a real token, of another session
        return world.csrf["admin" if role != "admin" else "citizen"]
    return None if mode == "missing" else "forged-token"


def _send(world, role, route, body):
    method, path = route.split(" ", 1)
    names = _placeholders(world.ids)
    client = world.client(role)
    path = _fill(path, names)
    if method == "GET":
        return client.get(path)
    if isinstance(body, JSON):
        value = _fill(body.value, names)
        token = world.csrf[role]
        return client.post(path, json=value, headers={"X-CSRFToken": token})
    body = _fill(dict(body), names)
    token = _token(world, role, body.pop("_csrf", "valid"))
    data = {**ROLE_ESCALATION, **body}
    if token is not None:
        data["csrf_token"] = token
    files = any(isinstance(v, File) for v in data.values())
    data = {k: (io.BytesIO(v.data), v.name) if isinstance(v, File) else v
            for k, v in data.items()}
    return client.post(path, data=data,
                       content_type="multipart/form-data" if files else None)


def test_the_catalogue_is_big_and_labels_are_unique():
    labels = [case[0] for case in CASES]
    assert len(labels) >= 150
    assert len(set(labels)) == len(labels), "duplicate labels"


@pytest.mark.parametrize("label,role,route,body", CASES, ids=[case[0] for case in CASES])
def test_bad_input_gets_a_4xx_and_changes_nothing(world, label, role, route, body):
    world.restore()
    response = _send(world, role, route, body)
    refused = (400 <= response.status_code < 500
               or label in REDIRECTED and response.status_code in (302, 303))
    assert refused, (
        f"{route} as {role}: {response.status_code} "
        f"{response.headers.get('Location', '')}")
    with world.app.app_context():
        after = table_contents()
    changed = {t: (len(world.seeded[t]), len(rows)) for t, rows in after.items()
               if rows != world.seeded[t]}
    assert not changed, f"tables changed (rows before, after): {changed}"
