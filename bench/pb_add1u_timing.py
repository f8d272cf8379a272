"""Time our MES + add1u (and add1) on a few shared files (ours only, best of N).

    OMP_NUM_THREADS=1 .venv/bin/python bench/pb_add1u_timing.py toulouse wieliczka ursus
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pb_reference import DATA  # noqa: E402
from pb.pabulib import read_pabulib  # noqa: E402
from pb.rules import mes  # noqa: E402


def main(argv: list[str]) -> None:
    repeat = 3
    completions = ["add1u"]
    names = []
    for a in argv:
        if a.startswith("--repeat="):
            repeat = int(a.split("=")[1])
        elif a == "--add1":
            completions.append("add1")
        else:
            names.append(a)
    for path in sorted(DATA.glob("*.pb")):
        if names and not any(n in path.name for n in names):
            continue
        instance, profile = read_pabulib(path)
        for completion in completions:
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                out = mes(instance, profile, completion=completion)
                best = min(best, time.perf_counter() - t)
            d = out.explanation
            print(f"{path.stem:40s} {completion:6s} {best * 1000:9.1f} ms  runs={d['runs']} "
                  f"computed={d['computed_runs']} selected={len(out.selected)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
