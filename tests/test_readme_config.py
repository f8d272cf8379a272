"""The README's settings are the ones the code reads (issue 13 "Scale-out"): the README once
documented `TRUSTED_PROXIES=1`, which the app ignored (only `FLASK_TRUSTED_PROXIES` worked).

Every setting named in the README's "Configuration" and "Scale-out" sections is read by our
code or by the Flask extension it configures; every setting our code reads is in the README;
and every environment variable the README shows being set without the `FLASK_` prefix
(`NAME=value`) really changes the app's configuration."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app.py", "composition.py", "core", "accounts", "pb", "deliberation", "petitions")
# The libraries whose settings the README documents (they read them from app.config).
LIBRARIES = ("flask", "flask_limiter", "flask_sqlalchemy", "flask_login", "flask_babel",
             "flask_wtf", "flask_migrate")
# An environment variable that fills another setting.
ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
# Words in capitals the README puts in backticks that are not settings.
NOT_SETTINGS = {"UPDATE", "INSERT", "DELETE", "BEGIN", "IMMEDIATE", "FLASK_"}
NAME = re.compile(r"`(?:FLASK_)?([A-Z][A-Z0-9_]{4,})(=[^`]*)?`")
READ = re.compile(r"""(?:config(?:\.get)?\s*[\[(]\s*|_limit\(\s*|environ(?:\.get)?\s*[\[(]\s*)
                      ["']([A-Z][A-Z0-9_]+)["']""", re.VERBOSE)


def _sections(*titles: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    found = [p for p in parts if p.split("\n", 1)[0].strip() in titles]
    assert len(found) == len(titles), f"README sections missing: {titles}"
    return "\n".join(found)


def _our_source() -> str:
    files = []
    for entry in PACKAGES:
        path = ROOT / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def _library_source() -> str:
    texts = []
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        folder = Path(spec.origin).parent
        texts += [f.read_text(encoding="utf-8", errors="replace")
                  for f in folder.rglob("*.py")]
    return "\n".join(texts)


DOCUMENTED = sorted({m.group(1) for m in NAME.finditer(_sections("Configuration",
                                                                  "Scale-out"))} - NOT_SETTINGS)


def _plain_env_names() -> list[str]:
    """Names the README shows set without the prefix (`NAME=value`), says work either way
    (`NAME` (or `FLASK_NAME`)), or lists in a bullet that says "the same names without the
    `FLASK_` prefix work too"."""
    text = _sections("Configuration", "Scale-out")
    names = {m.group(1) for m in NAME.finditer(text)
             if m.group(2) and not m.group(0).startswith("`FLASK_")}
    names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)[^`]*` \(or `FLASK_\1", text))
    for bullet in re.split(r"\n- ", text):
        if "without the `FLASK_` prefix work" in bullet:
            names |= set(re.findall(r"`FLASK_([A-Z][A-Z0-9_]+)`", bullet))
    return sorted(names - NOT_SETTINGS)


SHOWN_AS_PLAIN_ENV = _plain_env_names()


def test_the_readme_documents_settings_at_all():
    assert {"RATELIMIT_STORAGE_URI", "DATABASE_URL", "TRUSTED_PROXIES",
            "SECRET_KEY"} <= set(DOCUMENTED)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_documented_setting_is_read_by_the_code(name):
    quoted = re.compile(rf"""["']{name}["']""")
    ours = _our_source()
    assert bool(quoted.search(ours) or quoted.search(_library_source())), (
        f"README documents {name}, but neither our code nor {', '.join(LIBRARIES)} reads it")
    # Those we read ourselves are read where the app can see them, not only mentioned.
    if quoted.search(ours) and name not in ENV_ALIASES:
        assert name in READ.findall(ours) or bool(re.search(rf"\b{name}=", ours)), name


def test_every_setting_the_code_reads_is_documented():
    read = set(READ.findall(_our_source()))
    documented = set(DOCUMENTED) | {ENV_ALIASES.get(n, n) for n in DOCUMENTED}
    assert sorted(read - documented) == []


@pytest.mark.parametrize("name", SHOWN_AS_PLAIN_ENV)
def test_every_plain_environment_variable_the_readme_shows_takes_effect(name, monkeypatch,
                                                                        tmp_path):
    """`TRUSTED_PROXIES=1`, `DATABASE_URL=...`, `MAIL_SERVER=...`: set as the README shows,
    without the FLASK_ prefix, they must change the app's setting."""
    value = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
             "PUBLIC_BASE_URL": "https://civic.example"}.get(name, "7")
    monkeypatch.setenv(name, value)
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert str(app.config[ENV_ALIASES.get(name, name)]) == value


def test_a_setting_set_by_flask_prefix_reaches_the_rate_limiter(monkeypatch, tmp_path):
    """The scale-out setting is honoured end to end: the limiter's storage follows it."""
    from core.extensions import limiter

    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", "memory://")
    create_app({"TESTING": True}, instance_path=str(tmp_path / "a"))
    assert type(limiter.storage).__name__ == "MemoryStorage"
    monkeypatch.delenv("FLASK_RATELIMIT_STORAGE_URI")
    create_app({"TESTING": True}, instance_path=str(tmp_path / "b"))
    assert type(limiter.storage).__name__ == "DatabaseStorage"
