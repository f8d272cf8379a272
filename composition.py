"""The composition layer: what gathers every domain, so that no package has to.

`core` is the shared kernel and knows no domain; `accounts` knows users only; the domains
(`petitions`, `pb`, `deliberation`) know `core` and `accounts`. The home page (one list per
domain) and `flask seed-demo` (a demo of every domain) need them all, so they live here,
beside `app.py`, which registers them through :func:`init_app`.
"""
from __future__ import annotations

import click
from flask import Blueprint, render_template
from flask.cli import with_appcontext
from flask_login import current_user
from sqlalchemy import func, select, update

from accounts import demo as accounts_demo
from core.db import db, utcnow, write_transaction
from core.mail import OutboxEmail
from deliberation import demo as deliberation_demo
from deliberation.models import Conversation
from pb import demo as pb_demo
from pb.models import BudgetProcess
from petitions import demo as petitions_demo
from petitions.queries import public_petitions

bp = Blueprint("site", __name__)
HOME_ITEMS = 3  # per domain


@bp.get("/")
def home():
    """Landing page: what is open now in budgets and conversations, and petitions."""
    budgets = [b for b in BudgetProcess.listed() if b.visible_to(current_user)]
    conversations = [c for c in Conversation.listed() if c.visible_to(current_user)]
    petitions, _total = public_petitions(now=utcnow(), status="open", user=current_user,
                                         limit=HOME_ITEMS)
    return render_template("home.html", budgets=budgets[:HOME_ITEMS],
                           conversations=conversations[:HOME_ITEMS], petitions=petitions)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo users and processes (idempotent; new passwords are printed once)."""
    last_email = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    users = accounts_demo.seed(echo=click.echo)
    pb_demo.seed(users)
    deliberation_demo.seed(users)
    petitions_demo.seed(users, utcnow())
    # Emails the demo story queues (to made-up people) are never delivered.
    with write_transaction():
        muted = db.session.execute(
            update(OutboxEmail).where(OutboxEmail.id > last_email,
                                      OutboxEmail.sent_at.is_(None))
            .values(sent_at=utcnow())).rowcount
    if muted:
        click.echo(f"{muted} demo email(s) marked as sent without delivery.")
    click.echo("Demo data ready.")


def init_app(app) -> None:
    """Register the home page and `flask seed-demo`."""
    app.register_blueprint(bp)
    app.cli.add_command(seed_demo)
