"""Error pages in HTML, and as JSON for clients that ask for it."""
from __future__ import annotations

import pytest

from tests.conftest import _make_app

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
    app = _make_app(tmp_path, TESTING=False, PROPAGATE_EXCEPTIONS=False)

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

    app = _make_app(tmp_path)

    @app.get("/__bad")
    def bad():
        abort(400)

    client = app.test_client()
    assert b"Bad request" in client.get("/__bad").data
    assert client.get("/__bad", headers=JSON).json["status"] == 400
