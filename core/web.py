"""Site-wide web setup: home page, language, security headers, error pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from core import audit, mail  # noqa: F401 - register the outbox and audit tables
from core.extensions import babel

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    """Landing page listing the three kinds of participation."""
    return render_template("home.html")


def init_app(app) -> None:
    babel.init_app(app)
    app.register_blueprint(bp)
