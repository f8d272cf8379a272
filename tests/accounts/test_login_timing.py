"""Login costs one password-hash check whoever asks (issue 13, finding 7): an account without
a password answered in half the time of a real one (105 ms vs 206 ms)."""
from __future__ import annotations

import time

import pytest
from werkzeug.security import check_password_hash

from accounts import models, service
from accounts.models import User

PASSWORD = "correct horse battery staple"


@pytest.fixture
def hash_checks(monkeypatch):
    calls = []

    def counting(pwhash, password):
        calls.append(pwhash.split("$", 1)[0])
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    monkeypatch.setattr(models, "check_password_hash", counting)
    return calls


def _passwordless(db, email="nopass@example.org"):
    user = User(email=email, display_name="No Pass")  # password_hash "" (e.g. staff import)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.mark.parametrize("case", ["unknown", "passwordless", "wrong", "right"])
def test_every_login_attempt_checks_exactly_one_scrypt_hash(app, db, make_user, hash_checks,
                                                             case):
    make_user(email="real@example.org", password=PASSWORD)
    _passwordless(db)
    email, password = {"unknown": ("ghost@example.org", PASSWORD),
                       "passwordless": ("nopass@example.org", PASSWORD),
                       "wrong": ("real@example.org", "not the password at all"),
                       "right": ("real@example.org", PASSWORD)}[case]
    result = service.authenticate(email, password)
    assert (result is not None) == (case == "right")
    assert len(hash_checks) == 1 and hash_checks[0].startswith("scrypt")


def test_an_account_without_a_password_cannot_log_in_with_an_empty_one(app, db):
    _passwordless(db)
    assert service.authenticate("nopass@example.org", "") is None


def test_a_passwordless_account_takes_as_long_as_a_real_one(app, db, make_user):
    """Rough wall-clock check (the median of 5; generous bounds for a shared machine)."""
    make_user(email="real@example.org", password=PASSWORD)
    _passwordless(db)

    def median(email):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            service.authenticate(email, "some wrong password")
            times.append(time.perf_counter() - start)
        return sorted(times)[2]

    real, passwordless = median("real@example.org"), median("nopass@example.org")
    assert passwordless > real * 0.5
