"""Process framing shared by PB processes, conversations and petition schemes.

Every process says whether the authority is bound by its result (`binding`: complementary
crowdsourcing) or only takes input (`advisory`: supplementary), and who may see it
(`public`, or `staff` = officials/moderators/admins only: internal crowdsourcing).
"""
from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.roles import STAFF_ROLES, is_staff  # noqa: F401  (STAFF_ROLES re-exported)


class Commitment(enum.StrEnum):
    BINDING = "binding"
    ADVISORY = "advisory"


class Audience(enum.StrEnum):
    PUBLIC = "public"
    STAFF = "staff"




class ProcessFraming:
    """Mixin for models that are a participation process."""

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    commitment: Mapped[Commitment] = mapped_column(
        Enum(Commitment, native_enum=False, length=16), default=Commitment.ADVISORY
    )
    audience: Mapped[Audience] = mapped_column(
        Enum(Audience, native_enum=False, length=16), default=Audience.PUBLIC
    )

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    def visible_to(self, user) -> bool:
        """Public processes: everyone. Staff processes: staff roles and the owner."""
        if self.audience == Audience.PUBLIC:
            return True
        # The owner keeps seeing what they made: a facilitator (not a staff role) may open a
        # staff-only conversation, or one from a staff-only budget, and must still run it.
        if getattr(user, "is_authenticated", False) and user.id == self.owner_id:
            return True
        return is_staff(user)
