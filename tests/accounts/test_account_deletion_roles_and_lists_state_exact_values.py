"""Deleting an account, granting roles and the admins' lists, with exact values: the last
administrator may not delete their account (one of two may), a deletion clears the area and
is audited on the user, a role change says it changed something and is audited on the user;
the account counts, the list of live accounts, the newest audit entries, each reader's
language and the recipients of a role are exactly the ones they name (killed issue-15
mutation survivors in accounts/service.py `delete_account`, `set_role`, `count_users`,
`active_users`, `latest_audit`, `languages_of`, `recipients_with_role`, `normalise_email`)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts import service
from accounts.models import User, UserRole
from core import audit
from core.db import db
from core.roles import Role
from tests.helpers import audit_rows

PASSWORD = "correct horse battery staple"
AT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_the_only_administrator_may_not_delete_their_account(app, make_user):
    admin = make_user(roles=("admin",))
    with pytest.raises(service.AccountError) as refused:
        service.delete_account(admin, password=PASSWORD)
    assert str(refused.value) == ("You are the last administrator; grant the role to "
                                  "someone else first.")
    db.session.rollback()
    assert db.session.get(User, admin.id).deleted_at is None


def test_one_of_two_administrators_may_delete_their_account(app, make_user):
    first = make_user(roles=("admin",))
    make_user(roles=("admin",))
    service.delete_account(first, password=PASSWORD)
    assert db.session.get(User, first.id).deleted_at is not None


def test_a_deletion_clears_the_area_and_is_audited_on_the_user(app, make_user):
    user = make_user()
    user.area = "Riverside"
    db.session.commit()
    with time_machine.travel(AT, tick=False):
        service.delete_account(user, password=PASSWORD)
    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert (gone.email, gone.display_name, gone.area, gone.deleted_at) == (None, "", "", AT)
    assert audit_rows("account.deleted") == [
        (user.id, "account.deleted", "user", str(user.id), AT, {})]


def test_a_role_change_says_so_and_is_audited_on_the_user(app, make_user):
    admin, user = make_user(roles=("admin",)), make_user()
    with time_machine.travel(AT, tick=False):
        assert service.set_role(admin, user, "moderator", granted=True) is True
    with time_machine.travel(AT + timedelta(hours=1), tick=False):
        assert service.set_role(admin, user, "moderator", granted=False) is True
    assert service.set_role(admin, user, "moderator", granted=False) is False
    assert audit_rows("role.granted") + audit_rows("role.revoked") == [
        (admin.id, "role.granted", "user", str(user.id), AT, {"role": "moderator"}),
        (admin.id, "role.revoked", "user", str(user.id), AT + timedelta(hours=1),
         {"role": "moderator"})]


def test_the_counts_and_the_list_of_live_accounts(app, make_user):
    assert service.count_users() == 0
    first, second, third = make_user(), make_user(), make_user()
    service.delete_account(second, password=PASSWORD)
    assert service.count_users() == 3
    assert service.active_users() == [first, third]


def test_the_newest_audit_entries_come_first_and_no_more_than_asked(app, make_user):
    admin = make_user(name="Ada")
    for n in range(3):
        audit.record(admin, f"test.step{n}", "user", admin.id, now=AT + timedelta(minutes=n))
    db.session.commit()
    entries, names = service.latest_audit(limit=2)
    assert [e.action for e in entries] == ["test.step2", "test.step1"]
    assert names == {admin.id: "Ada"}


def test_each_readers_language_by_id(app, make_user):
    chinese, english, stranger = make_user(), make_user(), make_user()
    chinese.language = "zh_Hant"
    stranger.language = "zh_Hant"
    db.session.commit()
    assert service.languages_of([chinese.id, None, english.id]) == {
        chinese.id: "zh_Hant", english.id: None}
    assert service.languages_of([None]) == {}


def test_the_recipients_of_a_role_are_live_addressed_holders_by_address(app, make_user):
    zoe = make_user(roles=("moderator",), email="zoe@example.org")
    zoe.language = "zh_Hant"
    make_user(roles=("moderator",), email="amy@example.org")
    make_user(roles=("official",), email="bob@example.org")
    gone = make_user(roles=("moderator",), email="gone@example.org")
    gone.deleted_at = AT
    db.session.add(User(email="", display_name="No address", role_rows=[
        UserRole(role="moderator")]))
    db.session.commit()
    assert service.recipients_with_role(Role.MODERATOR) == [
        ("amy@example.org", None), ("zoe@example.org", "zh_Hant")]


def test_a_missing_email_normalises_to_nothing(app):
    assert (service.normalise_email(""), service.normalise_email(None)) == ("", "")
    assert service.normalise_email("Ann\u200b@Example.ORG") == "ann@example.org"
