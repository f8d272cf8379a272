"""A citizen who forgot the password gets an emailed link that works once, for one hour."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from core.db import utcnow
from tests.helpers import link_path

OLD, NEW = "the old long password", "the brand new password"


def ask_for_reset(client, email="ana@example.org"):
    return client.post("/forgot-password", data={"email": email})


def test_reset_flow_sets_a_new_password_and_the_link_works_once(client, db, make_user,
                                                                 outbox):
    user = make_user(email="ana@example.org", password=OLD, confirmed=False)
    assert ask_for_reset(client, "ANA@example.org").status_code == 302
    [email] = outbox(to="ana@example.org")
    path = link_path(email.body)

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.check_password(NEW) and not user.check_password(OLD)
    assert user.is_confirmed  # opening the emailed link proved the address

    again = client.post(path, data={"password": "yet another password", "confirm":
                                    "yet another password"})
    assert again.status_code == 400
    db.session.refresh(user)
    assert user.check_password(NEW)


def test_an_expired_reset_link_is_refused_and_changes_nothing(client, db, make_user, outbox):
    user = make_user(email="ana@example.org", password=OLD)
    ask_for_reset(client)
    path = link_path(outbox()[0].body)
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert b"expired" in response.data
    db.session.refresh(user)
    assert user.check_password(OLD)


def test_an_unknown_email_gets_the_same_answer_and_no_email(client, outbox):
    known_page = ask_for_reset(client, "nobody@example.org")
    assert known_page.status_code == 302
    assert outbox() == []


def test_the_new_password_must_be_long_enough(client, db, make_user, outbox):
    user = make_user(email="ana@example.org", password=OLD)
    ask_for_reset(client)
    path = link_path(outbox()[0].body)
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.check_password(OLD)
