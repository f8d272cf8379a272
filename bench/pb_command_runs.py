"""One `python -m pb outcome` command, run as N new processes in a row: min and median wall and
CPU (user + system) time, with the load average before and after.

    .venv/bin/python bench/pb_command_runs.py [--runs 20] [--python PYTHON] [FILE [OPTIONS...]]

Default: Wrocław 2015 (108,499 single-choice voters) with MES, cost utility and add1u, the
whole-process row of bench/whole_process.py whose 50x target leaves the least room
(pabutools' whole process takes ~8 s on its MultiProfile, so ours must stay under ~0.16 s).
The command runs from the project folder, so `python -m pb` picks this checkout's package
(check with `python -c 'import pb; print(pb.__file__)'` there); one unmeasured run first writes
the bytecode caches.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WROCLAW = ROOT.parent / "shared" / "data" / "pabulib" / "poland_wroclaw_2015_up-to-150.pb"
DEFAULT = [str(WROCLAW), "--rule", "mes", "--utility", "cost", "--completion", "add1u",
           "--json"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--root", default=str(ROOT),
                        help="checkout whose package runs (default: this one), e.g. to compare")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="FILE and options of `python -m pb outcome`")
    args = parser.parse_args(argv)
    command = [args.python, "-m", "pb", "outcome", *(args.command or DEFAULT)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled once, not at every run
    subprocess.run(command, cwd=args.root, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # warm-up
    load_before = os.getloadavg()
    walls, cpus = [], []
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, cwd=args.root, env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    load_after = os.getloadavg()
    print(f"{' '.join(command)}  (in {args.root})")
    print(f"{args.runs} runs: wall min {min(walls) * 1000:.0f} ms, median "
          f"{statistics.median(walls) * 1000:.0f} ms; CPU min {min(cpus) * 1000:.0f} ms, median "
          f"{statistics.median(cpus) * 1000:.0f} ms")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} (1 and 5 min; {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
