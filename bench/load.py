"""Load benchmark: simulated citizens sign petitions, cast budget ballots and vote on
statements against gunicorn × 4 on localhost, then the database is checked (issue 13).

    .venv/bin/python bench/load.py --quick        # 30 s, SQLite, 50 clients
    .venv/bin/python bench/load.py                # SQLite and PostgreSQL, 50 then 200 clients

Each client is a thread with two browsers (tests/core/browser.py: an anonymous one signing by
email, and a logged-in citizen signing in one click, casting and changing a ballot, voting).
Every signature carries its own X-Forwarded-For address (the server trusts one proxy), so the
per-IP fraud rules stay on without flagging the bench. Prints throughput and p50/p95/p99 per
kind, then the checks: lost (acknowledged but not in the database), duplicates, 5xx and
connection errors, counters that differ from the rows. `--quick` ends with one line
`lost=N duplicates=N server_errors=N signatures_per_s=N p95_ms=N`.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.core.helpers import (  # noqa: E402
    MIX,
    Acks,
    Citizen,
    kill_server,
    seed,
    server_cpu_seconds,
    start_server,
    verify,
    write_config,
)
from tests.database import Cluster, NotInstalled  # noqa: E402
from tests.helpers import free_port  # noqa: E402

SIGNATURES = ("sign_email", "sign_one_click")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Tally:
    """Latencies and answers per kind, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.acknowledged: dict[str, int] = defaultdict(int)
        self.statuses: dict[int, int] = defaultdict(int)
        self.connection_errors = 0

    def add(self, kind: str, seconds: float, status: int, ok: bool) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            self.acknowledged[kind] += ok
            self.statuses[status] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) \
            + self.connection_errors


def citizen_loop(citizen: Citizen, seed_: int, stop: threading.Event, tally: Tally) -> None:
    rng = random.Random(seed_)
    while not stop.is_set():
        start = time.perf_counter()
        try:
            kind, status, ok = citizen.act(rng, str(seed_))
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.connection_errors += 1
            continue
        tally.add(kind, time.perf_counter() - start, status, ok)


def run_clients(port: int, world, server, *, clients: int, seconds: float):
    """`clients` citizens (each logged in first), released together for `seconds`."""
    acks_each = [Acks() for _ in range(clients)]
    citizens: list[Citizen | None] = [None] * clients

    def log_in(i):
        citizens[i] = Citizen(port, world, world.users[i % len(world.users)], acks_each[i])

    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if any(c is None for c in citizens):
        raise RuntimeError("some citizens could not log in")
    stop, tally = threading.Event(), Tally()
    threads = [threading.Thread(target=citizen_loop, args=(c, i, stop, tally))
               for i, c in enumerate(citizens)]
    cpu, server_cpu = time.process_time(), server_cpu_seconds(server)
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    server_cpu = server_cpu_seconds(server) - server_cpu
    acks = Acks()
    for each in acks_each:
        acks.merge(each)
    return tally, acks, elapsed, time.process_time() - cpu, server_cpu


@contextmanager
def throwaway_postgres():
    """A durable PostgreSQL cluster in a temp folder (tests/database.py's, with fsync and
    synchronous commit on: the bench measures what production pays); its URL."""
    try:
        cluster = Cluster.start(durable=True)
    except NotInstalled as error:
        raise SystemExit(str(error)) from error
    try:
        yield cluster.recreate("appdb")
    finally:
        cluster.stop()


def prepare(instance: Path, database_url: str, *, petitions: int, users: int):
    """Migrate and seed the database, in this process (the server starts afterwards)."""
    from flask_migrate import upgrade

    from app import create_app
    from core.db import db

    write_config(instance, database_url)
    app = create_app(instance_path=str(instance))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        world = seed(petitions=petitions, users=users)
        db.session.remove()
    return app, world


def bench(label: str, database_url: str | None, *, clients: int, seconds: float,
          workers: int, threads: int) -> dict:
    from core.db import db

    tmp = Path(tempfile.mkdtemp(prefix="civic-load-"))
    instance = tmp / "instance"
    url = database_url or f"sqlite:///{instance / 'app.db'}"
    try:
        app, world = prepare(instance, url, petitions=100, users=clients)
        port = free_port()
        server = start_server(instance, port, workers=workers, threads=threads,
                              log=tmp / "gunicorn.log")
        try:
            tally, acks, elapsed, client_cpu, server_cpu = run_clients(
                port, world, server, clients=clients, seconds=seconds)
        finally:
            kill_server(server, 15)
        with app.app_context():
            checks = verify(world, acks)
            db.session.remove()
            db.engine.dispose()
        log_text = (tmp / "gunicorn.log").read_text(errors="replace")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(label, tally, checks, elapsed, (client_cpu, server_cpu), clients,
                  locked=log_text.count("database is locked"))


def report(label, tally: Tally, checks, elapsed, cpu, clients, locked) -> dict:
    client_cpu, server_cpu = cpu
    answered = sum(tally.statuses.values())
    print(f"\n== {label}: {clients} clients, {elapsed:.1f} s, load {os.getloadavg()[0]:.2f}; "
          f"client CPU {100 * client_cpu / elapsed:.0f}% of one core, "
          f"{1000 * client_cpu / max(answered, 1):.2f} ms per request; server CPU "
          f"{1000 * server_cpu / max(answered, 1):.1f} ms per request")
    print(f"{'kind':<16}{'acked':>8}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind in MIX:
        values = tally.latency[kind]
        print(f"{kind:<16}{tally.acknowledged[kind]:>8}{tally.acknowledged[kind] / elapsed:>8.1f}"
              f"{1000 * percentile(values, .5):>9.0f}{1000 * percentile(values, .95):>9.0f}"
              f"{1000 * percentile(values, .99):>9.0f}")
    signing = [v for kind in SIGNATURES for v in tally.latency[kind]]
    result = {
        **checks,
        "server_errors": tally.server_errors,
        "signatures_per_s": round(sum(tally.acknowledged[k] for k in SIGNATURES) / elapsed),
        "p95_ms": round(1000 * percentile(signing, .95)),
    }
    print(f"statuses {dict(sorted(tally.statuses.items()))}, connection errors "
          f"{tally.connection_errors}, 'database is locked' in the log {locked}, "
          f"counters differing from rows {checks['counter_drift']}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="30 s on SQLite with 50 clients, one summary line at the end")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, nargs="+", default=None)
    parser.add_argument("--databases", nargs="+", default=None,
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker (gthread above 1)")
    args = parser.parse_args(argv)
    clients = args.clients or ([50] if args.quick else [50, 200])
    databases = args.databases or (["sqlite"] if args.quick else ["sqlite", "postgresql"])
    results = []
    for database in databases:
        for n in clients:
            label = f"{database}, gunicorn × {args.workers}"
            if database == "postgresql":
                with throwaway_postgres() as url:
                    results.append(bench(label, url, clients=n, seconds=args.seconds,
                                         workers=args.workers, threads=args.threads))
            else:
                results.append(bench(label, None, clients=n, seconds=args.seconds,
                                     workers=args.workers, threads=args.threads))
    first = results[0]
    print(f"lost={sum(r['lost'] for r in results)} "
          f"duplicates={sum(r['duplicates'] for r in results)} "
          f"server_errors={sum(r['server_errors'] for r in results)} "
          f"signatures_per_s={first['signatures_per_s']} p95_ms={first['p95_ms']}")
    return 0 if all(r["lost"] == r["duplicates"] == r["server_errors"] == r["counter_drift"] == 0
                    for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
