"""Emailed links come from the configured public base URL, never from the request's Host
(issue 13, finding 1), and the README's configuration names are the ones the app reads."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from tests.helpers import TEST_CONFIG, make_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
BASE = "https://civic.example.org"


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


@pytest.fixture
def public_app(tmp_path):
    app = make_app(tmp_path, PUBLIC_BASE_URL=BASE, TRUSTED_PROXIES=1)
    with app.app_context():
        yield app


def test_a_forged_host_does_not_reach_the_reset_link(public_app, make_user, outbox):
    make_user(email="ana@example.org", password=PASSWORD)
    client = public_app.test_client()
    response = client.post("/forgot-password", data={"email": "ana@example.org"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 302
    [email] = outbox(to="ana@example.org")
    [link] = _links(email.body)
    assert link.startswith(BASE + "/reset-password/")
    assert "evil" not in email.body


def test_a_forged_forwarded_host_does_not_reach_emailed_links(public_app, make_user, outbox):
    make_user(email="ana@example.org", password=PASSWORD)
    client = public_app.test_client()
    client.post("/forgot-password", data={"email": "ana@example.org"},
                headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"})
    client.post("/register", data={"display_name": "Bo", "email": "bo@example.org",
                                   "password": PASSWORD},
                headers={"X-Forwarded-Host": "evil.example"})
    emails = outbox()
    assert len(emails) == 2
    for email in emails:
        [link] = _links(email.body)
        assert link.startswith(BASE + "/") and "evil" not in email.body


def test_without_configuration_links_use_the_development_address(app, client, make_user,
                                                                   outbox):
    make_user(email="ana@example.org", password=PASSWORD)
    client.post("/forgot-password", data={"email": "ana@example.org"},
                headers={"Host": "evil.example"})
    [link] = _links(outbox(to="ana@example.org")[0].body)
    assert link.startswith("http://127.0.0.1:5000/reset-password/")


def test_server_name_is_the_fallback_base(tmp_path):
    from core.security import public_base_url
    app = make_app(tmp_path, SERVER_NAME="civic.test", PREFERRED_URL_SCHEME="https")
    assert public_base_url(app) == "https://civic.test"


def test_the_readme_proxy_setting_trusted_proxies_works(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"},
                     instance_path=str(tmp_path))
    assert isinstance(app.wsgi_app, ProxyFix)
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"},
                     instance_path=str(tmp_path))
    assert not isinstance(app.wsgi_app, ProxyFix)


def _readme_configuration() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Configuration")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _source_text() -> str:
    packages = ("app.py", "core", "accounts", "petitions", "pb", "deliberation")
    files = [ROOT / "app.py"] + [p for d in packages[1:] for p in (ROOT / d).rglob("*.py")]
    return "\n".join(p.read_text() for p in files)


def test_every_configuration_name_in_the_readme_is_read_by_the_app(tmp_path):
    """A name documented in the README's Configuration section (with or without FLASK_) is
    a config key of the app or a name the code reads."""
    section = _readme_configuration()
    names = {m.group(2) for m in re.finditer(r"`(FLASK_)?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)",
                                             section)}
    assert {"TRUSTED_PROXIES", "PUBLIC_BASE_URL", "DATABASE_URL"} <= names
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"},
                     instance_path=str(tmp_path))
    source = _source_text()
    unknown = sorted(n for n in names
                     if n not in app.config and f'"{n}"' not in source)
    assert unknown == []


ENV_TARGET = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def test_environment_names_in_the_readme_are_honoured(tmp_path, monkeypatch):
    """Names the README shows as `NAME=value` (with or without FLASK_) work as environment
    variables exactly like that."""
    section = _readme_configuration()
    shown = {(m.group(1) or "") + m.group(2)
             for m in re.finditer(r"`(FLASK_)?([A-Z][A-Z0-9_]+)=", section)}
    assert "TRUSTED_PROXIES" in shown
    values = {"DATABASE_URL": f"sqlite:///{tmp_path}/env.db"}
    for env_name in sorted(shown):
        name = env_name.removeprefix("FLASK_")
        value = values.get(name, "2")
        monkeypatch.setenv(env_name, value)
        app = create_app({"TESTING": True, "SECRET_KEY": "x"}, instance_path=str(tmp_path))
        assert str(app.config[ENV_TARGET.get(name, name)]) == value, env_name
        monkeypatch.delenv(env_name)
