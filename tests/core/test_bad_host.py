"""A Host header werkzeug cannot route (a DNS label over 63 characters) is a plain 400, not
a 500 from the error page itself (issue 13, finding 6)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.mail import OutboxEmail

BAD_HOSTS = ["a" * 64 + ".example", "a" * 64, "x." + "b" * 70 + ".example:8080"]


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_with_an_overlong_label_gets_400(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bad request" in page and "Traceback" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_json_clients_get_json(client):
    response = client.get("/", headers={"Host": "a" * 64, "Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_a_post_with_a_bad_host_changes_nothing(client, make_user, db):
    make_user(email="ana@example.org")
    response = client.post("/forgot-password", data={"email": "ana@example.org"},
                           headers={"Host": "a" * 64 + ".example"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
