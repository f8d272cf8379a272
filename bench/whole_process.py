"""Whole commands as a user runs them, against the reference libraries' whole processes.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/whole_process.py [--quick]

Every row is one new process per side, timed from outside (wall clock, interpreter start, imports
and file reading included), next to the in-process time of the computation alone, from the same
run:

- PB: ``python -m pb outcome FILE --rule ... --json`` against a process that runs
  ``pabutools.election.parse_pabulib`` and the same pabutools 1.2.3 rule
  (``bench/pb_reference.py``).
  In-process: the rule alone (ours: the ``seconds`` our command prints, profile arrays
  included; pabutools: the rule call after parsing). The two selections are compared.
- Polis: ``python -m deliberation cluster DIR --json`` against a process that reads the same
  openData export with pandas and runs red-dwarf 0.4.0's ``run_pipeline`` on its votes.
  In-process: our ``run_pipeline`` (vote matrix included) and red-dwarf's ``run_pipeline``.
  The 2 M-vote synthetic conversation (33,422 × 783, written once as openData by
  ``bench/polis_scale.py --write-opendata``) has no red-dwarf run; its target is < 3 s and
  < 2 GB peak for our whole command.

Ours is the best of 3 processes (milliseconds to a second each; the machine is shared), the
reference one process. Whole-process cells give wall time and, in brackets, the CPU time
(user + system) of the process: on a shared machine the wall time also counts waiting for a
core, the CPU time does not. ``--quick`` leaves out the reference runs that take minutes
(Łódź MES and MES + add1u in pabutools). Peak memory is each process's own ``ru_maxrss``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PB_DATA = ROOT.parent / "shared" / "data" / "pabulib"
POLIS_DATA = ROOT.parent / "shared" / "data" / "polis"
SYNTHETIC = Path(os.environ.get("POLIS_SYNTHETIC_DIR", "/tmp/polis-synthetic-2m"))

PB_ROWS = [  # file, label, rule, utility, completion, slow reference, pabutools MultiProfile
    ("poland_lodz_2022_.pb", "greedy", "greedy", None, None, False, False),
    ("poland_lodz_2022_.pb", "mes cost", "mes", "cost", "none", True, False),
    ("poland_lodz_2022_.pb", "mes cost + add1u", "mes", "cost", "add1u", True, False),
    # pabutools on a plain Profile had not finished after 600 s of CPU; on its MultiProfile
    # (identical ballots merged, same outcome) it takes seconds: the fair reference.
    ("poland_wroclaw_2015_up-to-150.pb", "mes cost + add1u", "mes", "cost", "add1u", False,
     True),
]

# Run inside a child: the command, then its own peak RSS on stderr (after whatever it printed).
# `python -m pb` ends with os._exit (no atexit): its peak is printed from there too.
PEAK = ("import atexit, os, resource, runpy, sys\n"
        "peak = lambda: print('PEAK_MB', resource.getrusage(resource.RUSAGE_SELF)"
        ".ru_maxrss / 1024, file=sys.stderr, flush=True)\n"
        "atexit.register(peak)\n"
        "leave = os._exit\n"
        "os._exit = lambda code: (peak(), leave(code))\n"
        "sys.argv = sys.argv[1:]\n"
        "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str]) -> tuple[Timing, float, str, str]:
    """(wall and CPU seconds, peak MB, stdout, stderr) of one new process."""
    # Bytecode caches allowed (the first of our 3 runs writes them), as in any installed
    # package and in pabutools': PYTHONDONTWRITEBYTECODE would recompile our modules each run.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = Timing(time.perf_counter() - start, _children_cpu() - cpu)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    peak = [float(line.split()[1]) for line in done.stderr.splitlines()
            if line.startswith("PEAK_MB")]
    return wall, peak[-1] if peak else float("nan"), done.stdout, done.stderr


class Timing(NamedTuple):
    wall: float
    cpu: float  # user + system, the process's threads together


def ours(module: str, *args: str) -> tuple[Timing, float, str]:
    """Best of 3 processes of ``python -m module args`` (by wall time), peak MB and output."""
    best = None
    for _ in range(3):
        wall, peak, out, _ = run([sys.executable, "-c", PEAK, module, *args])
        if best is None or wall.wall < best[0].wall:
            best = (wall, peak, out)
    return best


def pabutools_child(path: str, rule: str, utility: str, completion: str,
                    multiprofile: str = "-") -> None:
    """pabutools' parse_pabulib (and ``as_multiprofile()`` if asked) and the rule, timed."""
    sys.path.insert(0, str(ROOT))
    from bench.pb_reference import run_pabutools

    selected, cost, seconds = run_pabutools(Path(path), rule, None if utility == "-" else utility,
                                            None if completion == "-" else completion, "lexico",
                                            multiprofile == "multiprofile")
    print(json.dumps({"selected": selected, "cost": str(cost), "seconds": seconds}))


def reddwarf_child(folder: str) -> None:
    """What a red-dwarf user does with an openData export: pandas reads it, run_pipeline runs."""
    import warnings

    import pandas as pd

    folder = Path(folder)
    comments = pd.read_csv(folder / "comments.csv")
    mod_out = comments.loc[comments["moderated"] == -1, "comment-id"].astype(int).tolist()
    if (folder / "votes.csv").exists():
        votes = pd.read_csv(folder / "votes.csv").sort_values("timestamp")
        records = [{"participant_id": int(p), "statement_id": int(t), "vote": int(v),
                    "modified": float(m)} for p, t, v, m in
                   zip(votes["voter-id"], votes["comment-id"], votes["vote"],
                       votes["timestamp"], strict=True)]
    else:
        wide = pd.read_csv(folder / "participants-votes.csv")
        cells = wide.set_index("participant").iloc[:, 5:].stack()
        cells = cells[cells.notna()]
        records = [{"participant_id": int(p), "statement_id": int(t), "vote": int(v),
                    "modified": float(i)} for i, ((p, t), v) in enumerate(cells.items())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from reddwarf.implementations.base import run_pipeline

        start = time.perf_counter()
        result = run_pipeline(votes=records, mod_out_statement_ids=mod_out, random_state=0)
        seconds = time.perf_counter() - start
    groups = result.participants_df["cluster_id"].dropna().nunique()
    print(json.dumps({"seconds": seconds, "groups": int(groups)}))


def fmt(seconds: float | Timing | None) -> str:
    if seconds is None:
        return "–"
    if isinstance(seconds, Timing):
        return f"{fmt(seconds.wall)} ({fmt(seconds.cpu)} CPU)"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(theirs: float | Timing | None, ours_: float | Timing | None) -> str:
    if theirs is None or ours_ is None:
        return "–"
    if isinstance(theirs, Timing):
        return f"{ratio(theirs.wall, ours_.wall)} ({ratio(theirs.cpu, ours_.cpu)} CPU)"
    value = theirs / ours_
    return f"{value:.0f}×" if value >= 10 else f"{value:.1f}×"


def pb_rows(quick: bool) -> list[str]:
    lines = []
    for name, label, rule, utility, completion, slow, multiprofile in PB_ROWS:
        path = str(PB_DATA / name)
        args = [path, "--rule", rule, "--json"]
        if rule == "mes":
            args += ["--utility", utility, "--completion", completion]
        wall, peak, out = ours("pb", "outcome", *args)
        mine = json.loads(out)
        if quick and slow:
            ref_wall = ref = None
            same = "not run (--quick)"
        else:
            ref_wall, _, ref_out, _ = run([sys.executable, __file__, "--pabutools", path, rule,
                                           utility or "-", completion or "-",
                                           "multiprofile" if multiprofile else "-"])
            theirs = json.loads(ref_out)
            ref = theirs["seconds"]
            same = "same" if (theirs["selected"] == sorted(mine["selected"])
                              and theirs["cost"] == mine["cost"]) else "**different**"
        lines.append(
            f"| {name.removesuffix('.pb')} | {label} | {fmt(wall)} | {fmt(ref_wall)} | "
            f"{ratio(ref_wall, wall)} | {fmt(mine['seconds'])} | {fmt(ref)} | "
            f"{ratio(ref, mine['seconds'])} | {peak:.0f} MB | {same} |")
        print(lines[-1], flush=True)
    return lines


def polis_in_process(folder: Path) -> float:
    """Our run_pipeline on the folder's votes (vote matrix built again), best of 3."""
    sys.path.insert(0, str(ROOT))
    from deliberation.matrix import build_vote_matrix
    from deliberation.pipeline import run_pipeline
    from deliberation.polis_io import read_opendata

    matrix = read_opendata(folder).matrix
    raw = matrix.raw.tocoo()
    pids, tids, votes = matrix.pids[raw.row], matrix.tids[raw.col], raw.data
    mod_out = matrix.tids[matrix.mod_out]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run_pipeline(build_vote_matrix(pids=pids, tids=tids, votes=votes, mod_out_tids=mod_out))
        best = min(best, time.perf_counter() - start)
    return best


def polis_rows() -> list[str]:
    if not (SYNTHETIC / "votes.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "polis_scale.py"),
                        "--write-opendata", str(SYNTHETIC)], check=True, cwd=ROOT)
    lines = []
    for folder, reference in ((POLIS_DATA / "american-assembly.bowling-green", True),
                              (SYNTHETIC, False)):
        wall, peak, _ = ours("deliberation", "cluster", str(folder), "--json")
        ref_wall = ref = None
        if reference:
            ref_wall, _, ref_out, _ = run([sys.executable, __file__, "--reddwarf", str(folder)])
            ref = json.loads(ref_out)["seconds"]
        mine = polis_in_process(folder)
        lines.append(f"| {folder.name} | cluster | {fmt(wall)} | {fmt(ref_wall)} | "
                     f"{ratio(ref_wall, wall)} | {fmt(mine)} | {fmt(ref)} | {ratio(ref, mine)} | "
                     f"{peak:.0f} MB | – |")
        print(lines[-1], flush=True)
    return lines


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--pabutools":
        pabutools_child(*argv[1:6])
        return 0
    if argv and argv[0] == "--reddwarf":
        reddwarf_child(argv[1])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("pb", "polis"))
    args = parser.parse_args(argv)
    print(f"Whole process (new process, wall) and in-process (computation alone); "
          f"{platform.machine()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs shared.\n")
    print("| input | command | ours whole | reference whole | ratio | ours in-process | "
          "reference in-process | ratio | our peak | outcome |")
    print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
    if args.only != "polis":
        pb_rows(args.quick)
    if args.only != "pb":
        polis_rows()
    print(f"\nLoad average at the end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())} "
          f"(1/5/15 min).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
