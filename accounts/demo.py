"""Demo accounts for `flask seed-demo`: one user per role plus a few voters (idempotent)."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from accounts.models import User, UserRole
from accounts.service import find_by_email
from core.db import db, utcnow, write_transaction
from core.roles import Role

DEMO_USERS = {
    Role.CITIZEN: ("citizen@example.org", "Chen Mei-ling"),
    Role.MODERATOR: ("moderator@example.org", "Maria Moderator"),
    Role.FACILITATOR: ("facilitator@example.org", "Femi Facilitator"),
    Role.OFFICIAL: ("official@example.org", "Olivia Official"),
    Role.ADMIN: ("admin@example.org", "Ada Admin"),
}
# Voters who make the demo conversation and petitions look alive; they cannot log in.
DEMO_VOTERS = 12


def seed(*, echo: Callable[[str], None] = print) -> dict[Role, User]:
    """Create the demo users once; returns {role: user}. New passwords are echoed once."""
    users: dict[Role, User] = {}
    created: list[tuple[str, str, str]] = []
    with write_transaction():
        for role, (email, name) in DEMO_USERS.items():
            user = find_by_email(email)
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User(email=email, display_name=name, email_confirmed_at=utcnow())
                user.set_password(password)
                if role is not Role.CITIZEN:
                    user.role_rows = [UserRole(role=role.value)]
                db.session.add(user)
                created.append((role.value, email, password))
            users[role] = user
        for n in range(1, DEMO_VOTERS + 1):
            email = f"voter{n}@example.org"
            if find_by_email(email) is None:
                db.session.add(User(email=email, display_name=f"Voter {n}",
                                    email_confirmed_at=utcnow()))
    if created:
        echo("Demo accounts (passwords are shown only this once):")
        for role, email, password in created:
            echo(f"  {role:<12} {email:<26} {password}")
    else:
        echo("Demo accounts already exist; their passwords were shown when first created "
             "(use 'Forgot your password?' and `flask mail send` to set new ones).")
    return users


def demo_voters() -> list[User]:
    """The demo voters created by `seed`, in order."""
    emails = [f"voter{n}@example.org" for n in range(1, DEMO_VOTERS + 1)]
    return [u for u in (find_by_email(e) for e in emails) if u is not None]
