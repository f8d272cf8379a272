"""Run a command (``make mutate``'s mutmut run) and print its wall time, the CPU time of it
and all its children, and the load average before and after, so a run's cost is read, not
estimated from the wall clock of a shared box.

    .venv/bin/python bench/mutation_timed.py nice -n 10 .venv/bin/mutmut run --max-children 2

Exits with the command's exit code.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    load_before = _load()
    started = time.perf_counter()
    code = subprocess.call(command)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    minutes, seconds = divmod(round(wall), 60)
    print(f"\nmutation run: started {started_at}, exit code {code}")
    print(f"  wall {minutes} min {seconds:02d} s ({wall:.0f} s)")
    print(f"  CPU  {cpu:.1f} s (user {usage.ru_utime:.1f} s, system {usage.ru_stime:.1f} s),"
          f" {cpu / wall if wall else 0:.2f} cores on average")
    print(f"  load average before {load_before}, after {_load()}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
