"""Users and their roles."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import UTCDateTime, db, utcnow
from core.roles import Role


class UserIdentity(UserMixin):
    """What a user is, read-only: shared by the ORM `User` and the request's `SessionUser`.
    Subclasses provide the columns of `users` and `role_names` (the granted roles)."""

    @property
    def roles(self) -> frozenset[str]:
        """Every user is a citizen; other roles are granted by an admin."""
        return frozenset({Role.CITIZEN.value, *self.role_names})

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & {str(r) for r in roles})

    @property
    def is_active(self) -> bool:  # Flask-Login: deleted accounts cannot log in
        return self.deleted_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def credential_fingerprint(self) -> str:
        """Changes whenever the password or email changes: ends sessions and reset links."""
        material = f"{self.password_hash}|{self.email}".encode()
        return hashlib.sha256(material).hexdigest()[:16]

    def get_id(self) -> str:
        """Flask-Login session id: "<id>:<fingerprint>:<session version>", so a password
        change, or a logout, ends every other session and remember-me cookie."""
        return f"{self.id}:{self.credential_fingerprint}:{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class User(UserIdentity, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased; unique so a second registration with another case is refused.
    email: Mapped[str | None] = mapped_column(String(320), unique=True, nullable=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    email_confirmed_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    deleted_at = mapped_column(UTCDateTime, nullable=True)
    # Where the person lives, chosen from the city's areas (config AREAS); a budget may
    # limit voting to some areas (pb.voting.is_eligible). Self-declared, like a postcode.
    area: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Bumped at logout and password change (accounts.service.end_sessions): every session
    # and remember-me cookie issued before carries the old number and stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                                 nullable=False)
    # The display language the person picked (an app LANGUAGES code); None: follow the
    # browser's Accept-Language (core.web.select_locale).
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> Iterable[str]:
        return (r.role for r in self.role_rows)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user: Mapped[User] = relationship(back_populates="role_rows")


@dataclass(frozen=True, slots=True, eq=False)
class SessionUser(UserIdentity):
    """The signed-in person as each request reads it (`accounts.service.user_for_session`):
    one Core row, read-only, never in the ORM session (issue 13: a third of the cost of
    loading a `User` with its roles). Use cases that change the account load the `User`
    by `id`. Equal to a `User` with the same session id (Flask-Login's `UserMixin`)."""

    id: int
    email: str | None = field(repr=False)  # personal data: not in logs or tracebacks
    display_name: str
    password_hash: str = field(repr=False)
    email_confirmed_at: datetime | None
    deleted_at: datetime | None
    area: str
    session_version: int
    language: str | None
    role_names: frozenset[str]
