"""A password reset link names its account for exactly one hour (RESET_MAX_AGE), then it has
expired; a link made for another purpose is no reset link (accounts/service.py
`user_for_reset_token`)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts import service
from core.db import db

SECRET = "test-secret"
SENT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _reset_link(user):
    with time_machine.travel(SENT, tick=False):
        return service.make_token("reset", user, secret_key=SECRET)


def test_a_reset_link_names_its_account_for_one_hour(app, make_user):
    user = make_user(email="rosa@example.org")
    token = _reset_link(user)
    with time_machine.travel(SENT + timedelta(seconds=service.RESET_MAX_AGE), tick=False):
        found = service.user_for_reset_token(token, secret_key=SECRET)
    assert (found.id, found.email) == (user.id, "rosa@example.org")


def test_a_reset_link_has_expired_after_one_hour(app, make_user):
    assert service.RESET_MAX_AGE == 3600
    token = _reset_link(make_user())
    with time_machine.travel(SENT + timedelta(seconds=3601), tick=False), \
            pytest.raises(service.InvalidToken) as refused:
        service.user_for_reset_token(token, secret_key=SECRET)
    db.session.rollback()
    assert str(refused.value) == "This link has expired. Please ask for a new one."
