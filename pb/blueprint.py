"""The budgets blueprint and the look-up every budgets view shares: web.py (public pages) and
staff_web.py (officials' pages) each import it and add their routes; create_app imports both
and registers it once."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from core.db import db
from core.roles import Role
from pb.models import BudgetProcess, Phase

bp = Blueprint("pb", __name__, url_prefix="/budgets")


def reader():
    """The logged-in user (the object itself, not Flask-Login's proxy), or None for a
    visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def may_view(process: BudgetProcess, user, *, published: bool = True) -> bool:
    """Whether `user` (None: a visitor) may see `process`: not staff-only for them, and
    (`published`) not a draft unless they are an official or an admin."""
    return process.visible_to(user) and not (
        published and process.phase == Phase.DRAFT
        and not (user and user.has_role(Role.OFFICIAL, Role.ADMIN)))


def visible_process(process_id: int, *, published: bool = True) -> BudgetProcess:
    """The process, or 404 if it does not exist, is a draft, or is staff-only for the reader."""
    process = db.get_or_404(BudgetProcess, process_id)
    if not may_view(process, reader(), published=published):
        abort(404)
    return process
