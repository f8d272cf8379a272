"""Translated role names: pages show these, the database keeps the Role codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.roles import Role

ROLE_LABELS = {
    Role.CITIZEN: _l("citizen"),
    Role.MODERATOR: _l("moderator"),
    Role.FACILITATOR: _l("facilitator"),
    Role.OFFICIAL: _l("official"),
    Role.ADMIN: _l("admin"),
}


def role_label(role: Role | str) -> str:
    """The reader's-language name of `role` (a Role or its stored code), else the code."""
    return str(ROLE_LABELS.get(str(role), role))
