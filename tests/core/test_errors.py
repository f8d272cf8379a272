"""Error pages in HTML, and as JSON for clients that ask for it."""
from __future__ import annotations

import pytest

from tests.helpers import make_app

JSON = {"Accept": "application/json"}


def test_404_is_an_html_page_with_navigation(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert b"Page not found" in response.data and b'href="/budgets/"' in response.data


@pytest.mark.parametrize("path, status, error", [
    ("/no/such/page", 404, "Page not found"),
    ("/admin/users", 401, "Please log in"),
])
def test_errors_are_json_when_asked(client, path, status, error):
    response = client.get(path, headers=JSON)
    assert response.status_code == status
    assert response.json == {"error": error, "message": response.json["message"],
                             "status": status}


def test_403_as_json(client, make_user, login_as):
    login_as(client, make_user())
    response = client.get("/admin/", headers=JSON)
    assert response.status_code == 403 and response.json["error"] == "Not allowed"


def test_405_says_which_methods_are_allowed(client):
    response = client.post("/", headers=JSON)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_500_hides_the_traceback(tmp_path):
    app = make_app(tmp_path, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    client = app.test_client()
    html = client.get("/__boom")
    assert html.status_code == 500 and b"Something went wrong" in html.data
    assert b"secret internals" not in html.data and b"Traceback" not in html.data
    as_json = client.get("/__boom", headers=JSON)
    assert as_json.status_code == 500 and as_json.json["error"] == "Something went wrong"


def test_400_page_in_both_forms(tmp_path):
    from flask import abort

    app = make_app(tmp_path)

    @app.get("/__bad")
    def bad():
        abort(400)

    client = app.test_client()
    assert b"Bad request" in client.get("/__bad").data
    assert client.get("/__bad", headers=JSON).json["status"] == 400


def _raises(message):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def view():
        raise OperationalError("UPDATE petitions SET ...", {}, sqlite3.OperationalError(message))

    return view


@pytest.mark.parametrize("testing", [True, False])
def test_a_locked_database_is_a_503_with_retry_after_never_a_500(tmp_path, testing):
    """docs/reliability.md §3a: SQLITE_BUSY that busy_timeout could not absorb."""
    app = make_app(tmp_path, TESTING=testing, PROPAGATE_EXCEPTIONS=testing)
    app.add_url_rule("/__locked", "locked", _raises("database is locked"), methods=["POST"])
    client = app.test_client()
    html = client.post("/__locked")
    assert html.status_code == 503 and html.mimetype == "text/html"
    assert html.headers["Retry-After"] == "2" and b"try again in a few seconds" in html.data
    as_json = client.post("/__locked", headers=JSON)
    assert as_json.status_code == 503 and as_json.headers["Retry-After"] == "2"
    assert as_json.json == {"error": "Busy, please retry", "message": as_json.json["message"],
                            "status": 503}


def test_other_operational_errors_stay_500(tmp_path):
    app = make_app(tmp_path, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/__broken", "broken", _raises("no such table: petitions"))
    response = app.test_client().get("/__broken")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert b"no such table" not in response.data


def test_the_busy_page_is_translated(tmp_path):
    app = make_app(tmp_path)
    app.add_url_rule("/__locked", "locked", _raises("database is locked"))
    response = app.test_client().get("/__locked", headers={"Accept-Language": "zh-TW"})
    assert response.status_code == 503 and "稍後".encode() in response.data
