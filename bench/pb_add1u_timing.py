"""Time our MES + add1u (and add1) on a few shared files, ours only (as in
bench/pb_vs_pabutools.py: best of up to 10 runs), with the runs add1 goes through and the MES
runs it computes.

    OMP_NUM_THREADS=1 .venv/bin/python bench/pb_add1u_timing.py toulouse wieliczka ursus [--add1]
"""
from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pb_reference import DATA  # noqa: E402
from bench.pb_vs_pabutools import best_time  # noqa: E402
from pb.pabulib import read_pabulib  # noqa: E402
from pb.rules import mes  # noqa: E402


def main(argv: list[str]) -> None:
    completions = ["add1u", "add1"] if "--add1" in argv else ["add1u"]
    names = [a for a in argv if a != "--add1"]
    for path in sorted(DATA.glob("*.pb")):
        if names and not any(n in path.name for n in names):
            continue
        instance, profile = read_pabulib(path)
        for completion in completions:
            best = best_time(partial(mes, instance, profile, completion=completion))
            out = mes(instance, profile, completion=completion)
            d = out.explanation
            print(f"{path.stem:40s} {completion:6s} {best * 1000:9.1f} ms  runs={d['runs']} "
                  f"computed={d['computed_runs']} selected={len(out.selected)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
