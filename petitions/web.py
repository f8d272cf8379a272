"""Petitions web pages."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("petitions", __name__, url_prefix="/petitions")


@bp.get("/")
def index():
    """List of petitions."""
    return render_template("petitions/index.html")
