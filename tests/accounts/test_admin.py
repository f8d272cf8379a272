"""An admin grants and revokes roles; everyone else is kept out of /admin/."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEntry


@pytest.mark.parametrize("path", ["/admin/", "/admin/users"])
def test_admin_pages_are_for_admins_only(client, make_user, login_as, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    assert client.get(path, headers={"Accept": "application/json"}).status_code == 401
    login_as(client, make_user(roles=("official", "moderator")))
    assert client.get(path).status_code == 403
    login_as(client, make_user(roles=("admin",)))
    assert client.get(path).status_code == 200


def test_granting_and_revoking_a_role_is_audited(client, db, make_user, login_as):
    admin = make_user(roles=("admin",))
    citizen = make_user(name="Carla")
    login_as(client, admin)
    client.post(f"/admin/users/{citizen.id}/roles", data={"role": "official",
                                                          "action": "grant"})
    db.session.refresh(citizen)
    assert citizen.roles == {"citizen", "official"}
    client.post(f"/admin/users/{citizen.id}/roles", data={"role": "official",
                                                          "action": "revoke"})
    db.session.refresh(citizen)
    assert citizen.roles == {"citizen"}
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target_id, e.details) for e in entries] == [
        ("role.granted", admin.id, str(citizen.id), {"role": "official"}),
        ("role.revoked", admin.id, str(citizen.id), {"role": "official"}),
    ]


def test_the_last_admin_cannot_be_removed(client, db, make_user, login_as):
    admin = make_user(roles=("admin",))
    login_as(client, admin)
    response = client.post(f"/admin/users/{admin.id}/roles", data={"role": "admin",
                                                                  "action": "revoke"})
    assert response.status_code == 409  # the list again, the reason on it
    assert b'role="alert">There must always be at least one administrator' in response.data
    db.session.refresh(admin)
    assert admin.has_role("admin")
    assert db.session.scalar(select(AuditEntry)) is None


def test_unknown_roles_and_actions_are_refused(client, db, make_user, login_as):
    login_as(client, make_user(roles=("admin",)))
    target = make_user()
    assert client.post(f"/admin/users/{target.id}/roles",
                       data={"role": "admin", "action": "promote"}).status_code == 400
    king = client.post(f"/admin/users/{target.id}/roles",
                       data={"role": "king", "action": "grant"})
    assert king.status_code == 400 and b'role="alert">Unknown role.' in king.data
    db.session.refresh(target)
    assert target.roles == {"citizen"}
    assert client.post("/admin/users/9999/roles",
                       data={"role": "admin", "action": "grant"}).status_code == 404


def test_the_admin_overview_shows_the_audit_log_with_names(client, make_user, login_as):
    admin = make_user(roles=("admin",), name="Ada")
    target = make_user()
    login_as(client, admin)
    client.post(f"/admin/users/{target.id}/roles", data={"role": "moderator",
                                                         "action": "grant"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "role.granted" in page and "<bdi>Ada</bdi>" in page and "role=moderator" in page
