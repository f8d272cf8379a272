"""People for the deliberation tests that delete an account and register again."""
from __future__ import annotations

from accounts.models import User
from core.db import db

PASSWORD = "correct horse battery staple"


def registered(email, *, confirmed_at):
    """A new account with PASSWORD, its address confirmed at `confirmed_at` (None: not yet),
    committed."""
    user = User(email=email, display_name="someone", email_confirmed_at=confirmed_at)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user
