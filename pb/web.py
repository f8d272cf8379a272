"""Budgets web pages."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pb", __name__, url_prefix="/budgets")


@bp.get("/")
def index():
    """List of budgets."""
    return render_template("pb/index.html")
