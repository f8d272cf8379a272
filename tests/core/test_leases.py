"""Several workers share the math (issue 13 "Scale-out"): a conversation or a budget
outcome is claimed with one guarded upsert (core.leases), so two workers never compute the
same one at once, on SQLite and on PostgreSQL."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db, utcnow, write_transaction
from core.leases import JobLease, claim, release, worker_name
from tests.helpers import N, fresh_postgres_database, make_app, released_at_once


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_app(request, tmp_path):
    overrides = {}
    if request.param == "postgresql":
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"), "leases")
        overrides = {"SQLALCHEMY_DATABASE_URI": url,
                     "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": N}}
    app = make_app(tmp_path, **overrides)
    with app.app_context():
        yield app
        db.session.remove()
        if request.param == "postgresql":
            db.engine.dispose()


def _threads(app, target, count):
    """Run target(i) in `count` threads, each in its own app context, released at once."""
    def in_context(i):
        with app.app_context():
            target(i)
            db.session.remove()

    released_at_once(count, in_context)


def test_of_fifty_parallel_claims_exactly_one_wins(shared_app):
    db.session.commit()
    winners, now = [], utcnow()

    def try_claim(i):
        if claim("conversation:1", holder=f"w{i}", now=now, seconds=60):
            winners.append(i)

    _threads(shared_app, try_claim, N)
    assert len(winners) == 1
    assert db.session.scalar(select(JobLease.holder)) == f"w{winners[0]}"


def test_a_lease_expires_and_is_released_only_by_its_holder(shared_app):
    now = utcnow()
    assert claim("budget:7", holder="a", now=now, seconds=60)
    assert not claim("budget:7", holder="b", now=now + timedelta(seconds=59), seconds=60)
    assert claim("budget:7", holder="a", now=now, seconds=60)  # renewing is fine
    release("budget:7", holder="b")  # not b's: nothing happens
    assert not claim("budget:7", holder="b", now=now, seconds=60)
    # a died: its lease runs out and b takes over.
    assert claim("budget:7", holder="b", now=now + timedelta(seconds=61), seconds=60)
    release("budget:7", holder="b")
    assert claim("budget:7", holder="c", now=now, seconds=60)
    assert worker_name() != worker_name()


def test_two_workers_split_the_stale_conversations_and_never_compute_one_twice(
        shared_app, monkeypatch):
    from deliberation import cli, results
    from deliberation.models import Conversation, ConversationResult

    for n in range(6):
        db.session.add(Conversation(title=f"Conversation {n}", vote_seq=3))
    db.session.commit()
    running, computed, overlaps = set(), [], []
    guard = threading.Lock()

    def slow_recompute(cid, *, now, with_umap=False):
        with guard:
            if cid in running:
                overlaps.append(cid)
            running.add(cid)
        time.sleep(0.2)  # the math takes a while: the other worker must not start it too
        with write_transaction():  # as results.recompute stores its result
            db.session.add(ConversationResult(conversation_id=cid, vote_seq=3, n_votes=0,
                                              computed_at=now))
        with guard:
            running.discard(cid)
            computed.append(cid)

    monkeypatch.setattr(results, "recompute", slow_recompute)
    done = {}
    _threads(shared_app, lambda i: done.setdefault(
        i, cli.worker_pass(holder=f"worker-{i}", with_umap=False)), 2)
    assert overlaps == []
    assert sorted(computed) == sorted(c for c in done[0] + done[1])
    assert sorted(computed) == list(range(1, 7))  # each exactly once
    assert done[0] and done[1]  # both did a share of the work
    assert db.session.scalar(select(JobLease.name)) is None  # every lease given back
