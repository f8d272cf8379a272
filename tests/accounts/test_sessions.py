"""Sessions end when they should (issue 13, finding 2): logout with "keep me logged in",
copied session and remember-me cookies after logout or a password change, Secure remember
cookie over HTTPS, a fresh session at login."""
from __future__ import annotations

from accounts.models import User

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a different long passphrase"


def log_in(client, user, *, remember=True, **kwargs):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data, **kwargs)
    assert response.status_code == 302
    return response


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def copy_cookies(source, target):
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_logout_with_keep_me_logged_in_logs_out(app, client, make_user):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    assert client.get_cookie("remember_token") is not None
    assert logged_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None  # the browser is told to drop it
    assert not logged_in(client)


def test_cookies_copied_before_logout_stop_working(app, client, make_user):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert logged_in(thief)
    client.post("/logout")
    assert not logged_in(thief)
    remember_only = app.test_client()
    remember_only.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not logged_in(remember_only)
    # Logging in again works, and only the new session is valid.
    log_in(client, user)
    assert logged_in(client) and not logged_in(thief)


def test_cookies_copied_before_a_password_change_stop_working(app, client, make_user, db):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    thief = app.test_client()
    copy_cookies(client, thief)
    version = user.session_version
    response = client.post("/account/password", data={"pw-current": PASSWORD,
                                                      "pw-password": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == version + 1
    assert logged_in(client)  # the session that changed it stays
    assert not logged_in(thief)


def test_a_copied_cookie_of_a_session_version_is_refused_after_it_is_bumped(
        app, client, make_user, db):
    """The version alone revokes, even when the credentials are unchanged."""
    from accounts import service

    user = make_user(password=PASSWORD)
    log_in(client, user, remember=False)
    assert logged_in(client)
    service.end_sessions(db.session.get(User, user.id))
    assert not logged_in(client)


def test_the_remember_cookie_is_secure_over_https(app, make_user):
    user = make_user(password=PASSWORD)
    client = app.test_client()
    response = log_in(client, user, base_url="https://civic.example")
    remember = [c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("remember_token=")]
    assert remember and all("; Secure" in c for c in remember)
    assert all("HttpOnly" in c for c in remember)


def test_login_starts_a_fresh_session(app, client, make_user):
    user = make_user(password=PASSWORD)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    log_in(client, user, remember=False)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
    # The pre-login cookie is not logged in.
    other = app.test_client()
    other.set_cookie("session", before)
    assert not logged_in(other)
