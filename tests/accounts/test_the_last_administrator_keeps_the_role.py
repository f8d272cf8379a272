"""There is always an administrator: the last one cannot lose the role, whatever other roles
people hold, while one of two can (killed issue-15 mutation survivors in accounts/service.py
`_admin_count`)."""
from __future__ import annotations

import pytest

from accounts import service


def test_the_last_administrator_cannot_lose_the_role(app, make_user):
    admin = make_user(roles=("admin",))
    make_user(roles=("moderator", "official"))
    with pytest.raises(service.AccountError) as refused:
        service.set_role(admin, admin, "admin", granted=False)
    assert str(refused.value) == "There must always be at least one administrator."
    assert admin.has_role("admin")


def test_one_of_two_administrators_can_lose_the_role(app, make_user):
    first, second = make_user(roles=("admin",)), make_user(roles=("admin",))
    assert service.set_role(first, second, "admin", granted=False) is True
    assert not second.has_role("admin")
