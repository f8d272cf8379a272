"""`flask budgets import|compute|tick`: the engine and the scheduler outside page requests."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from core.db import utcnow
from core.leases import claim, release, worker_name
from pb import results, service
from pb.exchange import import_file
from pb.pabulib import PabulibError
from pb.phases import Phase
from pb.rules import COMPLETIONS, RULES, TIE_BREAKS, UTILITIES

budgets = AppGroup("budgets", help="Participatory budgeting: import, compute, tick.")


@budgets.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--rule", type=click.Choice(sorted(RULES)), default="mes", show_default=True)
@click.option("--utility", type=click.Choice(UTILITIES), default="cost", show_default=True,
              help="MES only")
@click.option("--completion", type=click.Choice(COMPLETIONS), default="add1u",
              show_default=True, help="MES only")
@click.option("--tie-break", type=click.Choice(TIE_BREAKS), default="lexico",
              show_default=True)
def import_command(file, rule, utility, completion, tie_break):
    """Create a process in its results phase from a pabulib FILE, and compute its results."""
    options = {"tie_break": tie_break}
    if rule == "mes":
        options.update(utility=utility, completion=completion)
    now = utcnow()
    try:
        process_id = import_file(file, rule=rule, options=options, now=now)
    except (OSError, PabulibError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    result = results.compute(process_id, now=now)
    click.echo(f"{len(result.selected)} project(s) funded from {result.ballot_count} ballots")
    click.echo(f"process {process_id}")


@budgets.command("compute")
@click.argument("process_id", type=int)
def compute_command(process_id):
    """Compute and store the results of process PROCESS_ID."""
    try:
        result = results.compute(process_id, now=utcnow())
    except results.NoSuchProcess:
        click.echo(f"error: no process {process_id}", err=True)
        sys.exit(2)
    click.echo(f"process {process_id}: {result.rule}, {result.ballot_count} ballots, "
               f"{len(result.selected)} project(s) funded")


def _compute_once(process_id: int, *, now) -> None:
    """Compute under a lease (core.leases), so two ticks on two machines never run the
    same outcome at once; the one that loses leaves it to the winner."""
    name, holder = f"budget:{process_id}", worker_name()
    if not claim(name, holder=holder, now=now, seconds=3600):
        click.echo(f"process {process_id}: results being computed by another worker")
        return
    try:
        results.compute(process_id, now=now)
        click.echo(f"process {process_id}: results computed")
    finally:
        release(name, holder=holder)


@budgets.command("tick")
def tick_command():
    """Move processes to the phase their dates say; compute results of closed votes."""
    now = utcnow()
    moved = service.tick(now=now)
    for process_id, old, new in moved:
        click.echo(f"process {process_id}: {old} -> {new}")
        if old == Phase.VOTING or (new in (Phase.RESULTS, Phase.IMPLEMENTATION)
                                   and old != Phase.RESULTS):
            _compute_once(process_id, now=now)
    click.echo(f"moved {len(moved)} process(es)")


@budgets.command("anonymise")
@click.option("--after-days", type=int, default=None,
              help="Days after the vote closed (default BUDGETS_ANONYMISE_AFTER_DAYS or 183).")
def anonymise_command(after_days):
    """Detach ballots from voters, forget proposers and eligibility lists of old votes."""
    from flask import current_app

    from pb.privacy import anonymise

    days = after_days if after_days is not None else \
        current_app.config.get("BUDGETS_ANONYMISE_AFTER_DAYS", 183)
    done = anonymise(now=utcnow(), after_days=days)
    click.echo(f"anonymised {len(done)} process(es)")
