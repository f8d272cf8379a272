"""Accounts: register, login, logout, account page; admin user management."""
from __future__ import annotations

from flask import Blueprint

from accounts.models import User
from core.db import db
from core.extensions import login_manager

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))
