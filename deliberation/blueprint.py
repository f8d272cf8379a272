"""The conversations blueprint and the look-ups every conversations view shares: web.py
(participants), staff_web.py (facilitators, moderators) and results_web.py (map, report,
downloads) each import it and add their routes; create_app imports all three."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from deliberation import identity, labels, phases, service
from deliberation.phases import Moderation, Status
from deliberation.service import NotFound

bp = Blueprint("deliberation", __name__, url_prefix="/conversations")
bp.record_once(identity.init)


@bp.context_processor
def _states():
    """Templates compare states with these enums, never with string literals."""
    return {"Status": Status, "Moderation": Moderation, "labels": labels,
            "PHASE_TABLE": phases.PHASES}


def user():
    """The logged-in user, or None for a visitor."""
    return current_user if current_user.is_authenticated else None


def conversation_or_404(conversation_id: int):
    try:
        return service.get_conversation(conversation_id, user=user())
    except NotFound:
        abort(404)
