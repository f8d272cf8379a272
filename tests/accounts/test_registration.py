"""A citizen registers, confirms the email from the outbox, logs in and out."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from accounts.models import User
from tests.helpers import link_path

PASSWORD = "a long enough passphrase"


def register(client, email="ana@example.org", password=PASSWORD, name="Ana"):
    return client.post("/register", data={"display_name": name, "email": email,
                                           "password": password})


def login(client, email="ana@example.org", password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_register_confirm_login_logout(client, db, outbox):
    response = register(client, email="Ana@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    user = db.session.scalar(select(User))
    assert user.email == "ana@example.org" and user.display_name == "Ana"
    assert user.password_hash.startswith("scrypt:") and not user.is_confirmed
    assert user.roles == {"citizen"}

    [email] = outbox(to="ana@example.org")
    assert email.subject == "Confirm your email address"
    confirm = link_path(email.body)
    assert client.get(confirm).status_code == 200  # a page with a button: GET changes nothing
    db.session.refresh(user)
    assert not user.is_confirmed
    assert client.post(confirm).status_code == 302
    db.session.refresh(user)
    assert user.is_confirmed

    with client:
        response = login(client)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        assert current_user.is_authenticated and current_user.id == user.id
        assert client.get("/account").status_code == 200
        client.post("/logout")
        client.get("/")
        assert not current_user.is_authenticated
    assert client.get("/account").status_code == 302


def test_a_short_password_is_refused_with_a_clear_message(client, db):
    response = register(client, password="short pass")
    assert response.status_code == 400
    assert b"Use between 12 and 256 characters." in response.data
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_second_registration_with_the_same_email_in_another_case_creates_nothing(
        client, db, outbox):
    register(client, email="ana@example.org")
    response = register(client, email="  ANA@example.ORG ", password="another long password")
    # Same answer as a new registration, so the form does not reveal who has an account ...
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    # ... but the owner of the address is told by email.
    subjects = [e.subject for e in outbox(to="ana@example.org")]
    assert subjects == ["Confirm your email address", "You already have an account"]
    user = db.session.scalar(select(User))
    assert user.check_password(PASSWORD) and not user.check_password("another long password")


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="ana@example.org", password=PASSWORD)
    wrong = login(client, password="not the password at all")
    unknown = login(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Email or password is not correct." in wrong.data
    assert b"Email or password is not correct." in unknown.data
    with client:
        client.get("/")
        assert not current_user.is_authenticated


def test_remember_me_sets_a_long_lived_http_only_cookie(client, make_user):
    make_user(email="ana@example.org", password=PASSWORD)
    response = login(client, remember="y")
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_a_tampered_confirmation_link_is_refused(client, db, outbox):
    register(client)
    path = link_path(outbox()[0].body)
    response = client.post(path[:-3] + "xyz")
    assert response.status_code == 400
    assert not db.session.scalar(select(User)).is_confirmed


def test_a_deleted_account_cannot_log_in(client, db, make_user):
    from core.db import utcnow

    user = make_user(email="ana@example.org", password=PASSWORD)
    user.deleted_at = utcnow()
    db.session.commit()
    assert login(client).status_code == 401
