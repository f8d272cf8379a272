"""`flask petitions tick|reconcile|anonymise`: the scheduler's entry points (they supply `now`)."""
from __future__ import annotations

import click
from flask import current_app

from core.db import utcnow
from petitions import service
from petitions.web import bp


@bp.cli.command("tick")
def tick_command():
    """Close petitions whose signing window has ended."""
    closed = service.tick(now=utcnow())
    click.echo(f"closed {len(closed)} petition(s)")


@bp.cli.command("reconcile")
def reconcile_command():
    """Compare signature counters with validated rows and fix any drift."""
    drift = service.reconcile(now=utcnow())
    for pid, stored, real in drift:
        click.echo(f"petition {pid}: counter {stored} != rows {real}; fixed", err=True)
    click.echo(f"{len(drift)} petition(s) drifted")


@bp.cli.command("anonymise")
@click.option("--after-days", type=int, default=None,
              help="Days after closing (default PETITIONS_ANONYMISE_AFTER_DAYS or 183).")
def anonymise_command(after_days):
    """Blank signer names, emails and IPs on petitions that ended long enough ago."""
    days = after_days if after_days is not None else \
        current_app.config.get("PETITIONS_ANONYMISE_AFTER_DAYS", 183)
    now = utcnow()
    service.tick(now=now)
    done = service.anonymise(now=now, after_days=days)
    click.echo(f"anonymised {len(done)} petition(s)")
