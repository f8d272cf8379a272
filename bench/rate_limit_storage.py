"""Cost of one rate-limit hit per storage (README "Scale-out"): memory://, database://
on temp-file SQLite, and redis:// when redis-server is installed; one thread, then 8
threads hitting one key (the failed-login case). Also a failed login end to end with the
database storage. Prints hits/s and p50/p95 in ms; bounded (a few seconds per storage).

    .venv/bin/python bench/rate_limit_storage.py
"""
from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

from core.db import db  # noqa: E402
from tests.helpers import free_port, make_app  # noqa: E402

HITS = 2000
THREADS = 8


def measure(storage, label: str, app=None) -> None:
    strategy, item = FixedWindowRateLimiter(storage), parse("1000000 per hour")
    times = []
    for n in range(HITS):
        start = time.perf_counter()
        strategy.hit(item, "bench", str(n % 50))
        times.append(time.perf_counter() - start)
    quantiles = statistics.quantiles(times, n=20)
    single = HITS / sum(times)

    def worker():
        if app is None:
            for _ in range(HITS // THREADS):
                strategy.hit(item, "bench", "one-key")
            return
        with app.app_context():
            for _ in range(HITS // THREADS):
                strategy.hit(item, "bench", "one-key")

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = HITS / (time.perf_counter() - start)
    counted = storage.get(item.key_for("bench", "one-key"))
    print(f"{label:<22} {single:8.0f} hits/s  p50 {quantiles[9] * 1e3:6.2f} ms  "
          f"p95 {quantiles[18] * 1e3:6.2f} ms  | {THREADS} threads, one key: "
          f"{parallel:7.0f} hits/s, counted {counted}/{HITS // THREADS * THREADS}")


def failed_logins(app) -> None:
    client, times = app.test_client(), []
    for n in range(200):
        start = time.perf_counter()
        client.post("/login", data={"email": f"u{n}@example.org", "password": "x" * 12},
                    headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})
        times.append(time.perf_counter() - start)
    print(f"failed login (scrypt + 3 counters): p50 {statistics.median(times) * 1e3:.1f} ms")


def main() -> None:
    measure(storage_from_string("memory://"), "memory://")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
        with app.app_context():
            measure(storage_from_string("database://"), "database:// (SQLite)", app)
            failed_logins(app)
            db.session.remove()
    server = shutil.which("redis-server")
    if server is None:
        print("redis://               skipped: redis-server is not installed")
        return
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--save", "", "--appendonly",
                                "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        measure(storage_from_string(f"redis://127.0.0.1:{port}/0"), "redis://")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
