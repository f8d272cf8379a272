"""`flask petitions tick|reconcile|anonymise|trending`: scheduler entry points (supply `now`)."""
from __future__ import annotations

import click
from flask import current_app

from core.db import utcnow
from petitions import jobs, moderation
from petitions.blueprint import bp


@bp.cli.command("tick")
def tick_command():
    """Close petitions whose signing window has ended."""
    closed = jobs.tick(now=utcnow())
    click.echo(f"closed {len(closed)} petition(s)")


@bp.cli.command("reconcile")
def reconcile_command():
    """Compare signature counters with validated rows and fix any drift."""
    drift = jobs.reconcile(now=utcnow())
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
    jobs.tick(now=now)
    done = jobs.anonymise(now=now, after_days=days)
    click.echo(f"anonymised {len(done)} petition(s)")


@bp.cli.command("trending")
def trending_command():
    """Hourly report: top IPs and email domains per petition; log and alert moderators."""
    config = current_app.config
    report = moderation.report_trending(
        now=utcnow(), log_at=int(config.get("PETITIONS_TRENDING_LOG_AT", 100)),
        notify_at=int(config.get("PETITIONS_TRENDING_NOTIFY_AT", 200)))
    for item, level, emailed in report:
        click.echo(f"petition {item.petition_id} {item.kind} {item.value}: {item.count} "
                   f"[{level}{', moderators emailed' if emailed else ''}]")
    click.echo(f"{len(report)} trending item(s)")
