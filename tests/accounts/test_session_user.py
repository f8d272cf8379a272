"""The signed-in person of a request is a read-only `SessionUser` read in one Core statement
(issue 13: every request of a signed-in person loads it), the same user as the ORM `User`
in every way a request reads it, and still refused once its session is revoked."""
from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from flask_login import current_user

from accounts import service
from accounts.models import SessionUser, User
from core.db import db
from core.roles import Role

PASSWORD = "correct horse battery staple"


def _log_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_signed_in_request_gets_a_session_user(app, client, make_user):
    user = make_user(roles=("moderator",), password=PASSWORD)
    _log_in(client, user)
    with client:
        assert client.get("/account").status_code == 200
        seen = current_user._get_current_object()
        assert type(seen) is SessionUser
        assert seen.id == user.id and seen.has_role(Role.MODERATOR)


def test_a_session_user_cannot_be_written_to(app, make_user):
    user = make_user(password=PASSWORD)
    seen = service.user_for_session(user.get_id())
    for name, value in (("area", "North"), ("language", "zh_Hant"), ("session_version", 9),
                        ("display_name", "Renamed"), ("role_names", frozenset({"admin"}))):
        with pytest.raises(FrozenInstanceError):
            setattr(seen, name, value)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.area, stored.language, stored.session_version, stored.roles) == (
        "", None, 0, frozenset({"citizen"}))


@pytest.mark.parametrize("roles", [(), ("official",), ("admin", "moderator", "facilitator")])
def test_a_session_user_reads_as_the_orm_user(app, make_user, roles):
    make_user(roles=("admin", "official"))  # someone else's roles are not mixed in
    user = make_user(roles=roles, password=PASSWORD, confirmed=not roles)
    db.session.expire_all()
    orm = db.session.get(User, user.id)
    seen = service.user_for_session(orm.get_id())
    assert seen.roles == orm.roles == frozenset({"citizen", *roles})
    assert [seen.has_role(r) for r in Role] == [orm.has_role(r) for r in Role]
    assert seen.has_role(*Role) and seen.has_role(str(Role.CITIZEN))
    assert seen.get_id() == orm.get_id() and seen == orm
    assert seen.credential_fingerprint == orm.credential_fingerprint
    for name in ("id", "email", "display_name", "email_confirmed_at", "deleted_at", "area",
                 "session_version", "language", "is_active", "is_confirmed",
                 "is_authenticated", "is_anonymous"):
        assert getattr(seen, name) == getattr(orm, name), name
    assert seen.check_password(PASSWORD) and not seen.check_password("not it at all")


def test_a_revoked_session_is_still_refused(app, make_user):
    user = make_user(password=PASSWORD)
    first = service.user_for_session(user.get_id())
    service.end_sessions(first)  # logout everywhere, given the request's SessionUser
    assert service.user_for_session(first.get_id()) is None
    second = service.user_for_session(f"{user.id}:{first.credential_fingerprint}:1")
    assert second is not None and second.session_version == 1
    changed = service.change_password(second, current=PASSWORD, new="a new long passphrase")
    assert service.user_for_session(second.get_id()) is None
    assert service.user_for_session(f"{user.id}:{second.credential_fingerprint}:2") is None
    assert service.user_for_session(changed.get_id()) == changed  # the session it keeps


def test_account_changes_given_a_session_user_reach_the_stored_account(app, make_user):
    user = make_user(password=PASSWORD)
    seen = service.user_for_session(user.get_id())
    service.set_area(seen, "North", areas=["North"])
    service.remember_language(seen, "zh_Hant")
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.area, stored.language) == ("North", "zh_Hant")
    service.forget_language(seen)
    service.delete_account(seen, password=PASSWORD)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.language is None and stored.deleted_at is not None and stored.email is None
    assert service.user_for_session(seen.get_id()) is None  # its sessions end with it


def test_a_session_user_printed_in_a_log_shows_no_email_or_password_hash(app, make_user):
    user = make_user(email="private@example.org", password=PASSWORD)
    seen = service.user_for_session(user.get_id())
    assert str(seen.id) in repr(seen)
    assert "private@example.org" not in repr(seen) and seen.password_hash not in repr(seen)
