"""The roles a user may hold. Every user is a citizen; the others are granted by an admin."""
from __future__ import annotations

import enum


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    FACILITATOR = "facilitator"
    OFFICIAL = "official"
    ADMIN = "admin"
