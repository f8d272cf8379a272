"""The authorization matrix (issue 13): every route of app.url_map × method × kind of object
× role, requested with a real login and a real CSRF token, and its answer compared with
EXPECTED (tests/security/expected_access.py). A new route without an entry fails here.

Answers are classed as: "ok" (the role got through: a page, a redirect elsewhere, or a 4xx
about the form or the phase), "login" (302 to the login page), "403" and "404". Any 5xx fails.
The database is restored to the seeded state before every request, so one role's write (a
logout, an approval) never changes what the next one sees.
"""
from __future__ import annotations

import pytest

from tests.security.expected_access import EXPECTED
from tests.security.helpers import ROLES, build_world
from tests.security.matrix_routes import cases, url_for_case


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("matrix"))


def _class(response) -> str:
    code = response.status_code
    assert code < 500, f"{code} server error"
    if code in (302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if code in (403, 404):
        return str(code)
    return "ok"


def _request(world, role, method, path):
    world.restore()
    client = world.client(role)
    data = {"csrf_token": world.csrf[role]} if method != "GET" else None
    return client.open(path, method=method, data=data)


def observed_row(world, method, rule, target) -> str:
    path = url_for_case(world, rule, target)
    answers = []
    for role in ROLES:
        response = _request(world, role, method, path)
        try:
            answers.append(_class(response))
        except AssertionError as error:
            raise AssertionError(f"{method} {path} as {role}: {error}") from None
    return " ".join(answers)


def test_every_route_has_an_expected_row(world):
    found = set(cases(world.app))
    missing = sorted(found - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - found)
    assert not missing, ("routes without a row in tests/security/expected_access.py "
                         "(add one: anonymous citizen moderator facilitator official admin): "
                         + "; ".join(f"{m} {r} [{t}]" for m, r, t in missing))
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("method,rule,target", sorted(EXPECTED))
def test_each_role_gets_the_expected_answer(world, method, rule, target):
    if (method, rule, target) not in set(cases(world.app)):
        pytest.skip("route gone (reported by test_every_route_has_an_expected_row)")
    observed = observed_row(world, method, rule, target)
    assert observed == EXPECTED[method, rule, target], (
        f"{method} {rule} [{target}] as {' '.join(ROLES)}")


def test_a_new_route_without_a_row_is_caught():
    """What test_every_route_has_an_expected_row relies on: a route added to the app shows
    up in cases() on every kind of object it names, and EXPECTED has no row for it."""
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.add_url_rule("/petitions/<int:petition_id>/brand-new", "brand_new",
                     lambda petition_id: "", methods=["GET", "POST"])
    missing = set(cases(app)) - EXPECTED.keys()
    assert missing == {(method, "/petitions/<int:petition_id>/brand-new", target)
                       for method in ("GET", "POST") for target in ("draft", "public", "staff")}
