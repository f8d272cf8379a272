"""Links, passwords and sessions at their edges: a link is only good for its own purpose, for
its time and for a live account; a password of exactly 12 or 256 characters is accepted; each
password change and each "log out everywhere" raises the session version by one, for this
account only; a session id with a wrong fingerprint is refused (killed issue-15 mutation
survivors in accounts/service.py `_serializer`, `_load_token`, `confirm_email`,
`check_password_rules`, `change_password`, `end_sessions` and `user_for_session`)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from accounts import service
from accounts.models import User
from core.db import db, utcnow

SECRET = "test-secret"
PASSWORD = "correct horse battery staple"
SENT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _refusal(call):
    with pytest.raises(service.InvalidToken) as refused:
        call()
    db.session.rollback()
    return str(refused.value)


def test_a_confirmation_link_is_not_a_password_reset_link(app, make_user):
    user = make_user(confirmed=False)
    token = service.make_token("confirm", user, secret_key=SECRET)
    assert _refusal(lambda: service.user_for_reset_token(token, secret_key=SECRET)) == \
        "This link is not valid."
    assert service.confirm_email(token, secret_key=SECRET) == user


def test_a_confirmation_link_expires_after_7_days(app, make_user):
    user = make_user(confirmed=False)
    with time_machine.travel(SENT, tick=False):
        token = service.make_token("confirm", user, secret_key=SECRET)
    with time_machine.travel(SENT + timedelta(days=7, minutes=1), tick=False):
        assert _refusal(lambda: service.confirm_email(token, secret_key=SECRET)) == \
            "This link has expired. Please ask for a new one."
    assert db.session.get(User, user.id).email_confirmed_at is None


def test_a_link_of_a_closed_or_unknown_account_is_no_longer_valid(app, make_user):
    user = make_user(confirmed=False)
    token = service.make_token("confirm", user, secret_key=SECRET)
    user.deleted_at = utcnow()
    db.session.commit()
    assert _refusal(lambda: service.confirm_email(token, secret_key=SECRET)) == \
        "This link is no longer valid."
    nobody = SimpleNamespace(id=user.id + 100, credential_fingerprint="0" * 16)
    ghost = service.make_token("confirm", nobody, secret_key=SECRET)
    assert _refusal(lambda: service.confirm_email(ghost, secret_key=SECRET)) == \
        "This link is no longer valid."


@pytest.mark.parametrize(("length", "refusal"), [
    (11, "Use at least 12 characters for your password."), (12, None), (256, None),
    (257, "Use at most 256 characters for your password.")])
def test_passwords_from_12_to_256_characters_are_accepted(length, refusal, app):
    if refusal is None:
        service.check_password_rules("p" * length)
        return
    with pytest.raises(service.AccountError) as refused:
        service.check_password_rules("p" * length)
    assert str(refused.value) == refusal


def test_each_password_change_raises_the_session_version_by_one(app, make_user):
    user = make_user()
    assert user.session_version == 0
    service.change_password(user, current=PASSWORD, new="second long passphrase")
    assert db.session.get(User, user.id).session_version == 1
    service.change_password(user, current="second long passphrase", new="third passphrase!")
    assert db.session.get(User, user.id).session_version == 2


def test_a_wrong_current_password_is_refused_with_its_reason(app, make_user):
    user = make_user()
    with pytest.raises(service.AccountError) as refused:
        service.change_password(user, current="not my password", new="second long passphrase")
    assert str(refused.value) == "Your current password is not correct."


def test_logging_out_everywhere_raises_only_this_accounts_version_by_one(app, make_user):
    user, other = make_user(), make_user()
    service.end_sessions(user)
    service.end_sessions(user)
    db.session.expire_all()
    assert (db.session.get(User, user.id).session_version,
            db.session.get(User, other.id).session_version) == (2, 0)


def test_a_session_id_with_a_wrong_fingerprint_is_refused(app, make_user):
    user = make_user()
    fingerprint = user.credential_fingerprint
    assert service.user_for_session(f"{user.id}:{fingerprint}:0") == user
    assert service.user_for_session(f"{user.id}:{fingerprint}") == user
    assert service.user_for_session(f"{user.id}:{'0' * 16}:0") is None
    assert service.user_for_session(f"{user.id}:{'0' * 16}") is None
    assert service.user_for_session("999:" + "0" * 16 + ":0") is None
