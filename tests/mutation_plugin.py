"""pytest plugin loaded only by `make mutate` (``-p tests.mutation_plugin`` in
``[tool.mutmut] pytest_add_cli_args``), never by ``make test``.

Each mutant re-runs the selected tests that reach it, and on this 2-core box their time went
mostly to password hashing: every ``make_user`` and every registration hashes with werkzeug's
default scrypt (n=32768, r=8), ~0.5 s a hash under load. Here "scrypt" means scrypt with
n=256 (~1 ms), so the hash is still an "scrypt:" hash, is still checked, and a wrong password
is still refused; only its cost differs, which no promise of the README states (the cost is a
deployment setting, tested by ``make test``: ``tests/accounts/test_registration.py`` and
``test_login_timing.py`` run there with the real parameters). A mutant that changes the method
name still fails ("XXscryptXX" is refused by werkzeug).

It also sets SQLite's ``synchronous=OFF`` on each test database (core/db.py sets FULL): the
fsync at each commit was ~10 % of a petition test here; durability after a power cut is not
what these tests state, and every test gets a fresh file anyway.
"""
from __future__ import annotations

import sqlite3
import sys

import werkzeug.security
from sqlalchemy import event
from sqlalchemy.engine import Engine

_real_generate = werkzeug.security.generate_password_hash
CHEAP_SCRYPT = "scrypt:256:8:1"


def cheap_generate_password_hash(password: str, method: str = "scrypt",
                                 salt_length: int = 16) -> str:
    if method == "scrypt":
        method = CHEAP_SCRYPT
    return _real_generate(password, method=method, salt_length=salt_length)


# Before the application is imported, so `from werkzeug.security import ...` binds this one.
werkzeug.security.generate_password_hash = cheap_generate_password_hash


def _sqlite_without_fsync(dbapi_conn, record):
    if isinstance(dbapi_conn, sqlite3.Connection):
        dbapi_conn.execute("PRAGMA synchronous=OFF")
        record.info["synchronous"] = "OFF"  # core.db's group commit leaves it alone


def pytest_configure(config):
    import core.db  # noqa: F401  (its connect listener first, so this one runs after it)

    event.listen(Engine, "connect", _sqlite_without_fsync)
    # In case a module was imported before this plugin (it binds the name at import).
    for name in ("accounts.models", "accounts.service"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "generate_password_hash"):
            module.generate_password_hash = cheap_generate_password_hash
    service = sys.modules.get("accounts.service")
    if service is not None and hasattr(service, "_DUMMY_HASH"):
        service._DUMMY_HASH = cheap_generate_password_hash("not a real password")
