"""Forged numbers and NUL bytes are bad input: a 404 or 400 page, never a 500, nothing stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.db import db
from tests.helpers import fresh_postgres_database, make_app

HUGE = "99999999999999999999"  # > 2**63: Python int, but no database integer


@pytest.mark.parametrize("path", [f"/petitions/{HUGE}", f"/petitions/{HUGE}.json",
                                  f"/budgets/{HUGE}", f"/conversations/{HUGE}",
                                  f"/petitions/{2**31}"])
def test_forged_huge_ids_are_not_found(client, path):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_an_admin_posting_to_a_huge_user_id_gets_404_and_nothing_changes(client, make_user,
                                                                          login_as):
    login_as(client, make_user(roles=("admin",)))
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post(f"/admin/users/{HUGE}/roles", data={"role": "admin",
                                                                "action": "grant"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_a_huge_page_number_is_a_bad_request(client):
    response = client.get(f"/petitions/?page={HUGE}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(True)


def test_a_huge_statement_id_in_a_vote_is_a_bad_request_and_stores_nothing(client):
    """A form number no database integer holds: OverflowError on SQLite, SQLSTATE 22003 on
    PostgreSQL; both are the sender's fault (400), not ours (500)."""
    from deliberation.models import Participant, Vote
    from tests.deliberation.web_helpers import open_conversation

    conversation = open_conversation()
    response = client.post(f"/conversations/{conversation.id}/vote",
                           data={"statement_id": HUGE, "vote": "agree"})
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


@pytest.mark.parametrize("path", ["/petitions/?q=%00", "/petitions/?q=pot%00holes",
                                  "/login?next=/%00"])
def test_nul_bytes_in_the_query_are_refused(client, path):
    assert client.get(path).status_code == 400


def test_nul_bytes_in_a_form_are_refused_and_nothing_is_stored(client):
    response = client.post("/register", data={"display_name": "Nul\x00Name",
                                              "email": "nul@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.postgres
def test_nul_bytes_and_huge_numbers_on_postgresql(tmp_path, postgres_url):
    """PostgreSQL refuses NUL in text and overflows INTEGER at 2**31: both were 500s."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_postgres_database(
        postgres_url, "badinput"))
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert client.get("/petitions/?q=%00").status_code == 400
        assert client.get(f"/petitions/{2**31}").status_code == 404
        assert client.get(f"/petitions/?page={2**40}").status_code in (200, 400)
        assert client.get("/petitions/?q=potholes").status_code == 200
        db.session.remove()
        db.drop_all()
