"""The roles a user may hold. Every user is a citizen; the others are granted by an admin."""
from __future__ import annotations

import enum


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    FACILITATOR = "facilitator"
    OFFICIAL = "official"
    ADMIN = "admin"


# Who may see staff-only processes (Audience.STAFF): officials, moderators and admins.
STAFF_ROLES = frozenset({Role.OFFICIAL, Role.MODERATOR, Role.ADMIN})


def is_staff(user) -> bool:
    """True for a logged-in user holding one of STAFF_ROLES (None or anonymous: False)."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.roles & STAFF_ROLES)
