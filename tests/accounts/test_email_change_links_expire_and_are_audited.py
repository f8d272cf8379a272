"""An email-change link works for 7 days, only for an address nobody else took meanwhile,
confirms the new address and is audited; a forged link is refused with its reason (killed
issue-15 mutation survivors in accounts/service.py `confirm_email_change` and
`_load_token`)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from accounts import service
from core.audit import AuditEntry
from core.db import db

SECRET = "test-secret"
PASSWORD = "correct horse battery staple"
ASKED = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _ask(user, new_email):
    links = []
    with time_machine.travel(ASKED, tick=False):
        service.request_email_change(user, password=PASSWORD, new_email=new_email,
                                     confirm_link=lambda t: links.append(t) or f"/c/{t}",
                                     secret_key=SECRET)
    return links[0]


def test_the_link_confirms_the_new_address_and_is_audited(app, make_user):
    user = make_user(email="old@example.org")
    token = _ask(user, "new@example.org")
    opened = ASKED + timedelta(days=6)
    with time_machine.travel(opened, tick=False):
        service.confirm_email_change(token, secret_key=SECRET)
    db.session.expire_all()
    assert (user.email, user.email_confirmed_at) == ("new@example.org", opened)
    entries = db.session.execute(select(AuditEntry.actor_id, AuditEntry.action,
                                        AuditEntry.target_type, AuditEntry.target_id)
                                 .where(AuditEntry.action.like("account.%"))).all()
    assert entries == [(user.id, "account.email_changed", "user", str(user.id))]


def test_a_link_older_than_7_days_is_refused(app, make_user):
    user = make_user(email="old@example.org")
    token = _ask(user, "new@example.org")
    with time_machine.travel(ASKED + timedelta(days=7, minutes=1), tick=False), \
            pytest.raises(service.InvalidToken) as refused:
        service.confirm_email_change(token, secret_key=SECRET)
    assert str(refused.value) == "This link has expired. Please ask for a new one."
    db.session.rollback()
    assert db.session.get(type(user), user.id).email == "old@example.org"


def test_an_address_taken_meanwhile_is_refused(app, make_user):
    user = make_user(email="old@example.org")
    token = _ask(user, "new@example.org")
    make_user(email="new@example.org")
    with time_machine.travel(ASKED + timedelta(hours=1), tick=False), \
            pytest.raises(service.InvalidToken) as refused:
        service.confirm_email_change(token, secret_key=SECRET)
    assert str(refused.value) == "This email address is already in use."
    db.session.rollback()
    assert db.session.get(type(user), user.id).email == "old@example.org"


def test_a_forged_link_is_refused_as_not_valid(app, make_user):
    make_user(email="old@example.org")
    with pytest.raises(service.InvalidToken) as refused:
        service.confirm_email_change("not-a-token", secret_key=SECRET)
    assert str(refused.value) == "This link is not valid."
