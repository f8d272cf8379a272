"""Flask CLI commands that span packages (`flask seed-demo`, `flask mail send`)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core.db import utcnow


def register_cli(app) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo users and processes (idempotent; new passwords are printed once)."""
        from sqlalchemy import func, select, update

        from accounts import demo as accounts_demo
        from core.db import db, write_transaction
        from core.mail import OutboxEmail
        from deliberation import demo as deliberation_demo
        from pb import demo as pb_demo
        from petitions import demo as petitions_demo

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

    mail_cli = AppGroup("mail", help="The outgoing mail queue.")

    @mail_cli.command("send")
    @click.option("--limit", default=500, show_default=True, help="Most emails to send.")
    def send(limit):
        """Send pending outbox emails (SMTP if MAIL_SERVER is set, else print them)."""
        from core.mail import send_pending

        count = send_pending(current_app.config, echo=click.echo, limit=limit)
        click.echo(f"{count} email(s) sent.")

    app.cli.add_command(mail_cli)
