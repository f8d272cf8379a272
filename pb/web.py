"""Budgets web pages: the list of processes and one process with its projects."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from core.db import db
from pb.models import BudgetProcess, Phase

bp = Blueprint("pb", __name__, url_prefix="/budgets")


@bp.get("/")
def index():
    """Budgets open for voting or closed, that you may see."""
    processes = [p for p in BudgetProcess.listed() if p.visible_to(current_user)]
    return render_template("pb/index.html", processes=processes, Phase=Phase)


@bp.get("/<int:process_id>")
def show(process_id):
    """One budget: phase, amount, rules and projects (404 if you may not see it)."""
    process = db.session.get(BudgetProcess, process_id)
    if process is None or process.phase is Phase.DRAFT or not process.visible_to(current_user):
        abort(404)
    return render_template("pb/show.html", process=process, Phase=Phase)
