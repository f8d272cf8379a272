"""Flask CLI commands of the shared kernel (`flask mail send`); `flask seed-demo` lives in
composition.py."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup


def register_cli(app) -> None:
    mail_cli = AppGroup("mail", help="The outgoing mail queue.")

    @mail_cli.command("send")
    @click.option("--limit", default=500, show_default=True, help="Most emails to send.")
    def send(limit):
        """Send pending outbox emails (SMTP if MAIL_SERVER is set, else print them)."""
        from core.mail import send_pending

        count = send_pending(current_app.config, echo=click.echo, limit=limit)
        click.echo(f"{count} email(s) sent.")

    app.cli.add_command(mail_cli)
