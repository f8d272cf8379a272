"""Conversations web pages."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("deliberation", __name__, url_prefix="/conversations")


@bp.get("/")
def index():
    """List of conversations."""
    return render_template("deliberation/index.html")
