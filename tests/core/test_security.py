"""Security basics: headers, cookies, CSRF, safe redirects, rate limits."""
from __future__ import annotations

import pytest
from flask_login import current_user
from sqlalchemy import func, select

from accounts.models import User
from core.security import safe_next
from tests.helpers import make_app

PASSWORD = "correct horse battery staple"


def test_every_page_sends_the_security_headers(client):
    for path in ("/", "/login", "/does-not-exist"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'self'; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'")
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/register").get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_session_cookie_is_http_only_and_lax_and_secure_over_https(client, make_user):
    user = make_user()
    plain = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(c for c in plain.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    secure = client.post("/login", base_url="https://civic.example",
                         data={"email": user.email, "password": PASSWORD})
    cookies = secure.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_post_without_csrf_token_is_refused_and_changes_nothing(csrf_app, outbox):
    from core.db import db

    client = csrf_app.test_client()
    response = client.post("/register", data={"display_name": "Eve", "email": "eve@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400
    assert b"Reload the page and try again" in response.data
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert outbox() == []

    as_json = client.post("/language", data={"lang": "zh_Hant"},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and as_json.json["error"] == "Bad request"
    assert "Set-Cookie" not in as_json.headers or "lang=" not in as_json.headers["Set-Cookie"]


def test_a_form_with_its_csrf_token_is_accepted(csrf_app):
    import re

    client = csrf_app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/register", data={"csrf_token": token, "display_name": "Eve",
                                              "email": "eve@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 302


EVIL_NEXT = [
    "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "https:evil.example", "%2F%2Fevil.example", "javascript:alert(1)", "/%09/evil.example",
    "///evil.example", "/\t/evil.example", "http://localhost.evil.example/", "",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_unsafe_next_is_ignored_after_login(client, make_user, target):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/budgets/", "/budgets/1?tab=projects", "/account#email"])
def test_a_local_next_is_followed(client, make_user, target):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == target


def test_login_form_keeps_the_next_parameter(client):
    page = client.get("/login?next=/budgets/").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/budgets/"' in page


@pytest.fixture
def limited_app(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        yield app


def test_five_failed_logins_then_429(limited_app, make_user):
    make_user(email="ana@example.org")
    client = limited_app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"email": "ana@example.org",
                                           "password": "wrong password!!"}).status_code == 401
    blocked = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD},
                          headers={"Accept": "application/json"})
    assert blocked.status_code == 429
    assert blocked.json["error"] == "Too many attempts"
    assert "Retry-After" in blocked.headers
    # Another account from the same address is not locked out by those failures.
    make_user(email="bob@example.org")
    with client:
        ok = client.post("/login", data={"email": "bob@example.org", "password": PASSWORD})
        assert ok.status_code == 302 and current_user.is_authenticated


def test_successful_logins_do_not_count_as_failures(limited_app, make_user):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(7):
        assert client.post("/login", data={"email": user.email,
                                           "password": PASSWORD}).status_code == 302


def test_registration_is_limited_to_five_per_hour(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/register", data={"display_name": f"U{n}",
                                            "email": f"u{n}@example.org",
                                            "password": "a long enough passphrase"}).status_code
             for n in range(6)]
    assert codes == [302] * 5 + [429]


def test_reset_requests_are_limited(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/forgot-password", data={"email": "x@example.org"}).status_code
             for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert b"Too many attempts" in client.post("/forgot-password",
                                               data={"email": "x@example.org"}).data


def test_login_starts_a_fresh_session(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "x"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session and session["_user_id"]


def test_extra_form_fields_cannot_grant_roles(client, db):
    client.post("/register", data={"display_name": "Mallory", "email": "m@example.org",
                                   "password": "a long enough passphrase", "roles": "admin",
                                   "role": "admin", "is_admin": "1", "email_confirmed_at": "1"})
    user = db.session.scalar(select(User))
    assert user.roles == {"citizen"} and not user.is_confirmed


@pytest.mark.parametrize("name", ["Ana\x00", "Ana\r\nBcc: x@example.org", "\x1b[31mAna"])
def test_control_characters_in_names_are_refused(client, db, name):
    response = client.post("/register", data={"display_name": name, "email": "a@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_names_are_escaped_not_executed(client, make_user, login_as):
    login_as(client, make_user(name='<script>alert(1)</script>{{7*7}}'))
    html = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    # Shown literally, not evaluated as a template (a bare "49" could occur in the CSRF token).
    assert "&lt;/script&gt;{{7*7}}" in html


def test_no_get_request_writes_to_the_database(app, client, runner, make_user, login_as):
    """Every GET page of the app, as an admin, leaves every table unchanged."""
    from core.db import db

    runner.invoke(args=["seed-demo"])
    login_as(client, make_user(roles=("admin",)))

    def snapshot():
        return {t.name: db.session.execute(t.select()).all() for t in db.metadata.sorted_tables}

    before = snapshot()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            assert client.get(rule.rule).status_code < 500, rule.rule
    for path in ("/budgets/1", "/conversations/1", "/confirm/abc", "/reset-password/abc",
                 "/account/email/abc", "/logout"):
        client.get(path)
    db.session.expire_all()
    assert snapshot() == before


def test_personal_pages_are_not_cached(client, make_user, login_as):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login_as(client, make_user())
    assert client.get("/account").headers["Cache-Control"] == "private, no-store"


def test_many_failures_across_emails_from_one_address_are_limited(limited_app):
    limited_app.config["LOGIN_IP_RATE_LIMIT"] = "4 per 15 minutes"
    client = limited_app.test_client()
    codes = [client.post("/login", data={"email": f"u{n}@example.org",
                                         "password": "guessing password"}).status_code
             for n in range(5)]
    assert codes == [401] * 4 + [429]


def test_choosing_a_new_password_from_a_reset_link_is_limited(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/reset-password/forged-token",
                         data={"password": "a long enough passphrase"}).status_code
             for _ in range(6)]
    assert codes == [400] * 5 + [429]
