"""``flask conversations ...``: recompute results, the polling worker, import openData."""
from __future__ import annotations

import logging
import time

import click
from flask.cli import AppGroup

from core.db import db, utcnow

conversations_cli = AppGroup("conversations", help="Conversations: math, worker, import.")


@conversations_cli.command("recompute")
@click.argument("conversation_id", type=int, required=False)
@click.option("--all", "everything", is_flag=True, help="Every conversation with votes.")
@click.option("--umap/--no-umap", default=False, help="Also compute the UMAP view (slow).")
def recompute(conversation_id, everything, umap):
    """Run the math for one conversation (or --all) and store the result."""
    from deliberation.models import Conversation
    from deliberation.results import recompute as run

    if everything == (conversation_id is not None):
        raise click.UsageError("give a conversation id or --all")
    ids = ([conversation_id] if conversation_id is not None
           else list(db.session.scalars(db.select(Conversation.id).order_by(Conversation.id))))
    for cid in ids:
        if db.session.get(Conversation, cid) is None:
            raise click.ClickException(f"no conversation {cid}")
        started = time.perf_counter()
        result = run(cid, now=utcnow(), with_umap=umap)
        if result is None:
            click.echo(f"conversation {cid}: no votes yet")
        else:
            click.echo(f"conversation {cid}: {result.matrix.raw.nnz} votes, "
                       f"{len(result.group_ids)} groups "
                       f"({time.perf_counter() - started:.2f} s)")


def worker_pass(*, holder: str, with_umap: bool, lease_seconds: float = 600.0) -> list[int]:
    """Recompute each stale conversation this worker can claim (core.leases): several
    workers, on one machine or many sharing the database, never compute the same
    conversation at once. Returns the ids this worker recomputed."""
    from core.leases import claim, release
    from deliberation.results import recompute as run
    from deliberation.results import stale_conversations

    done = []
    for cid in stale_conversations():
        name = f"conversation:{cid}"
        if not claim(name, holder=holder, now=utcnow(), seconds=lease_seconds):
            continue  # another worker is on it
        try:
            if cid not in stale_conversations():  # finished by another worker meanwhile
                continue
            result = run(cid, now=utcnow(), with_umap=with_umap)
            done.append(cid)
            click.echo(f"conversation {cid}: "
                       f"{'no votes' if result is None else f'{result.matrix.raw.nnz} votes'}")
        except Exception:  # noqa: BLE001 - one bad conversation must not stop the worker
            db.session.rollback()
            click.echo(f"conversation {cid}: recompute failed", err=True)
            logging.getLogger(__name__).exception("recompute of %s failed", cid)
        finally:
            release(name, holder=holder)
    return done


@conversations_cli.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="One pass, then exit (tests, cron).")
@click.option("--umap/--no-umap", default=True, help="Also compute the UMAP view.")
@click.option("--lease", default=600.0, show_default=True,
              help="Seconds a claimed conversation stays this worker's if it dies.")
def worker(interval, once, umap, lease):
    """Recompute every conversation whose votes changed since its stored result. Run one
    or several (any machine sharing the database): they split the work (core.leases)."""
    from core.leases import worker_name

    holder = worker_name()
    while True:
        worker_pass(holder=holder, with_umap=umap, lease_seconds=lease)
        db.session.remove()
        if once:
            return
        time.sleep(interval)


@conversations_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--title", help="Title (default: the export's topic).")
def import_(path, title):
    """Import a Polis openData folder or zip as a closed conversation."""
    from deliberation.transfer import BadExport, import_export

    try:
        conversation = import_export(path, now=utcnow(), title=title)
    except BadExport as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"conversation {conversation.id}")


@conversations_cli.command("anonymise")
@click.option("--after-days", type=int, default=None, help="Days after closing "
              "(default CONVERSATIONS_ANONYMISE_AFTER_DAYS or 183).")
def anonymise_command(after_days):
    """Detach participants and statements of long-closed conversations from accounts and
    browser cookies; votes, numbers and results stay."""
    from flask import current_app

    from deliberation.privacy import anonymise

    days = after_days if after_days is not None else \
        current_app.config.get("CONVERSATIONS_ANONYMISE_AFTER_DAYS", 183)
    done = anonymise(now=utcnow(), after_days=days)
    click.echo(f"anonymised {len(done)} conversation(s)")
