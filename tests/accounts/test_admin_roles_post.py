"""Only an administrator can grant or revoke a role, and only from the admin page's own form:
a non-admin's POST, or a POST without the page's CSRF token (a forged cross-site request),
changes nobody's roles and writes nothing to the audit log."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry


def _audit_entries(db):
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("roles", [(), ("official",), ("moderator",), ("official", "moderator")])
def test_a_non_admin_cannot_make_themselves_admin(client, db, make_user, login_as, roles):
    make_user(roles=("admin",))
    user = make_user(roles=roles)
    login_as(client, user)

    response = client.post(f"/admin/users/{user.id}/roles",
                           data={"role": "admin", "action": "grant"})

    assert response.status_code == 403
    db.session.refresh(user)
    assert not user.has_role("admin")
    assert _audit_entries(db) == 0


def test_a_non_admin_cannot_strip_an_admin_of_the_role(client, db, make_user, login_as):
    admin, other_admin = make_user(roles=("admin",)), make_user(roles=("admin",))
    login_as(client, make_user(roles=("moderator",)))

    response = client.post(f"/admin/users/{admin.id}/roles",
                           data={"role": "admin", "action": "revoke"})

    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.has_role("admin") and other_admin.has_role("admin")
    assert _audit_entries(db) == 0


def test_an_anonymous_visitor_cannot_grant_roles(client, db, make_user):
    target = make_user()

    response = client.post(f"/admin/users/{target.id}/roles",
                           data={"role": "admin", "action": "grant"},
                           headers={"Accept": "application/json"})

    assert response.status_code == 401
    db.session.refresh(target)
    assert target.roles == {"citizen"}


def _user(db, name, roles=()):
    """A user in `csrf_app`'s database (`make_user` would build a second app on the same file)."""
    from accounts.models import User, UserRole

    user = User(email=f"{name.lower()}@example.org", display_name=name,
                role_rows=[UserRole(role=r) for r in roles])
    db.session.add(user)
    db.session.commit()
    return user


def test_a_forged_request_without_the_csrf_token_grants_nothing(csrf_app, login_as):
    from core.db import db

    client = csrf_app.test_client()
    admin, target = _user(db, "Ada", ("admin",)), _user(db, "Carla")
    login_as(client, admin)

    response = client.post(f"/admin/users/{target.id}/roles",
                           data={"role": "admin", "action": "grant"})

    assert response.status_code == 400
    db.session.expire_all()
    assert target.roles == {"citizen"}
    assert _audit_entries(db) == 0

    # The same admin, posting the admin page's form with its token, is obeyed.
    page = client.get("/admin/users").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/admin/users/{target.id}/roles",
                data={"csrf_token": token, "role": "admin", "action": "grant"})
    db.session.expire_all()
    assert target.has_role("admin")
