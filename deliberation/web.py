"""Conversations web pages: the list and one conversation with its statements."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import func, select

from core.db import db
from deliberation.models import Conversation, ConversationPhase, Vote

bp = Blueprint("deliberation", __name__, url_prefix="/conversations")


@bp.get("/")
def index():
    """Conversations that are open or closed, that you may see."""
    conversations = [c for c in Conversation.listed() if c.visible_to(current_user)]
    return render_template("deliberation/index.html", conversations=conversations)


@bp.get("/<int:conversation_id>")
def show(conversation_id):
    """One conversation: its statements with agree/disagree/pass counts."""
    conversation = db.session.get(Conversation, conversation_id)
    if (conversation is None or conversation.phase is ConversationPhase.DRAFT
            or not conversation.visible_to(current_user)):
        abort(404)
    rows = db.session.execute(
        select(Vote.statement_id, Vote.value, func.count())
        .where(Vote.conversation_id == conversation.id)
        .group_by(Vote.statement_id, Vote.value))
    tallies: dict[int, dict[int, int]] = {}
    for statement_id, value, count in rows:
        tallies.setdefault(statement_id, {})[value] = count
    return render_template("deliberation/show.html", conversation=conversation, tallies=tallies)
