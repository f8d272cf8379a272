"""Benchmark: our PB engine against pabutools 1.2.3, measured in one run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/pb_vs_pabutools.py            # everything (~15 min)
    OMP_NUM_THREADS=1 .venv/bin/python bench/pb_vs_pabutools.py --only las --no-growth

For every shared instance and rule: our time, pabutools' time (each pabutools computation in a
child process, killed after ``--limit`` seconds) and the ratio; then memory on Łódź 2022 and
how our time grows with synthetic voters (up to 1 M voters × 200 projects). Prints a Markdown
table and writes it to bench/RESULTS-pb.md. Our times include building the merged-ballot
arrays (``profile_arrays``), i.e. they start from the parsed file, like pabutools' rule times.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pb_reference import DATA, compute_with_limit  # noqa: E402
from pb.pabulib import read_pabulib  # noqa: E402
from pb.rules import RULES, mes, profile_arrays  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS-pb.md"
OWN_UTILITY = {"cumulative": "points", "scoring": "points", "ordinal": "borda"}


def cases(vote_type: str, fully_funded: bool):
    """(label, rule, utility, completion) benchmarked for a vote type (lexico tie-breaking)."""
    out = [("greedy", "greedy", None, None), ("mes cost", "mes", "cost", "none"),
           ("mes cost + add1u", "mes", "cost", "add1u")]
    if vote_type in OWN_UTILITY:
        utility = OWN_UTILITY[vote_type]
        out.append((f"mes {utility}", "mes", utility, "none"))
    if vote_type in ("approval", "choose-1"):
        out.append(("phragmen", "phragmen", None, None))
        if not fully_funded:
            out.append(("mes cost + add1", "mes", "cost", "add1"))
    return out


def best_time(run, *, most: int = 10, least: int = 3, budget: float = 3.0) -> float:
    """Our time: the best of up to ``most`` calls of ``run`` (at least ``least``; no more once
    ``budget`` seconds are spent). Our runs take milliseconds, so on this shared machine a
    single one is often slowed by a third by whatever else runs; the best of several is the
    time the code itself needs. pabutools takes seconds to minutes per run and is run once."""
    best, spent, calls = float("inf"), 0.0, 0
    while calls < most and (calls < least or spent < budget):
        start = time.perf_counter()
        run()
        took = time.perf_counter() - start
        best, spent, calls = min(best, took), spent + took, calls + 1
    return best


def our_seconds(path: Path, rule: str, utility, completion) -> float:
    """Our time for one rule from the parsed election (arrays rebuilt each time)."""
    instance, profile = read_pabulib(path)
    if rule == "mes":
        return best_time(lambda: mes(instance, profile, utility=utility, completion=completion))
    return best_time(lambda: RULES[rule](instance, profile))


def parse_seconds(path: Path) -> tuple[float, float]:
    """(ours, pabutools': one run) time to parse ``path``."""
    from pabutools.election import parse_pabulib

    ours = best_time(lambda: read_pabulib(path))
    start = time.perf_counter()
    parse_pabulib(str(path))
    return ours, time.perf_counter() - start


def times(ratio: float) -> str:
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def compare(only: str | None, limit: float) -> list[str]:
    lines = ["| instance | voters × projects | rule | ours | pabutools | ratio |",
             "|---|---|---|---|---|---|"]
    for path in sorted(DATA.glob("*.pb")):
        if only and only not in path.name:
            continue
        instance, profile = read_pabulib(path)
        size = f"{len(profile):,} × {len(instance.projects)}"
        ours, theirs = parse_seconds(path)
        lines.append(f"| {path.stem} | {size} | parse | {fmt(ours)} | {fmt(theirs)} | "
                     f"{times(theirs / ours)} |")
        print(lines[-1], flush=True)
        for label, rule, utility, completion in cases(instance.vote_type, instance.fully_funded):
            ours = our_seconds(path, rule, utility, completion)
            result = compute_with_limit((path, rule, utility, completion, "lexico"), limit)
            if "seconds" in result:
                theirs = result["seconds"]
                cell, ratio = fmt(theirs), times(theirs / ours)
            elif "skipped" in result:
                cell, ratio = f"> {limit:.0f} s (stopped)", f"> {times(limit / ours)}"
            else:
                cell, ratio = result.get("error", "?"), "–"
            lines.append(f"| {path.stem} | {size} | {label} | {fmt(ours)} | {cell} | {ratio} |")
            print(lines[-1], flush=True)
    return lines


MEMORY_SCRIPT = """
import sys
sys.path.insert(0, {root!r})

def peak_mb():  # VmHWM: peak resident set of this process (reset by exec, unlike ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

import numpy
base = peak_mb()
from pb.pabulib import read_pabulib
from pb.rules import mes
instance, profile = read_pabulib({path!r})
parsed = peak_mb()
mes(instance, profile, completion="add1u")
print(base, parsed, peak_mb())
"""


def memory_lines() -> list[str]:
    """Peak RSS (child process) on Łódź: interpreter+numpy, after parsing, after MES+add1u."""
    path = DATA / "poland_lodz_2022_.pb"
    script = MEMORY_SCRIPT.format(root=str(ROOT), path=str(path))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    base, parsed, done = (float(v) for v in out)
    return [
        "",
        f"Memory on Łódź 2022 (peak RSS of a fresh process): Python + numpy {base:.0f} MB; "
        f"after parsing {parsed:.0f} MB (+{parsed - base:.0f} MB); after MES + add1u "
        f"{done:.0f} MB (+{done - base:.0f} MB). The file is {path.stat().st_size / 1e6:.1f} MB.",
    ]


def synthetic_file(path: Path, *, voters: int, projects: int, seed: int) -> None:
    """Approval election: 1–5 approvals per voter, project popularity ∝ 1/(rank + 10)."""
    rng = np.random.default_rng(seed)
    popularity = 1 / (np.arange(projects) + 10)
    popularity /= popularity.sum()
    costs = rng.integers(10_000, 2_000_000, size=projects)
    budget = int(costs.sum() // 4)
    with path.open("w", encoding="utf-8") as out:
        out.write(f"META\nkey;value\nbudget;{budget}\nvote_type;approval\n"
                  f"num_projects;{projects}\nnum_votes;{voters}\nPROJECTS\nproject_id;cost\n")
        out.writelines(f"P{p:03d};{c}\n" for p, c in enumerate(costs))
        out.write("VOTES\nvoter_id;vote\n")
        for first in range(0, voters, 100_000):
            n = min(100_000, voters - first)
            picks = rng.choice(projects, size=(n, 5), p=popularity)
            lengths = rng.integers(1, 6, size=n)
            rows = []
            for v in range(n):
                chosen = dict.fromkeys(picks[v, : lengths[v]].tolist())
                rows.append(f"{first + v};{','.join(f'P{p:03d}' for p in chosen)}\n")
            out.writelines(rows)


def growth_lines(sizes: list[int], *, add1u_up_to: int = 100_000) -> list[str]:
    lines = ["", "Growth with synthetic voters (200 projects, approval, 1–5 approvals each):", "",
             "| voters | distinct ballots | parse | greedy | mes cost | mes cost + add1u (runs) |",
             "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for voters in sizes:
            path = Path(tmp) / f"synthetic_{voters}.pb"
            synthetic_file(path, voters=voters, projects=200, seed=voters)
            start = time.perf_counter()
            instance, profile = read_pabulib(path)
            parse = time.perf_counter() - start
            timings = []
            variants = [("greedy", {}), ("mes", {})]
            if voters <= add1u_up_to:
                variants.append(("mes", {"completion": "add1u"}))
            for rule, options in variants:
                start = time.perf_counter()
                outcome = RULES[rule](instance, profile, **options)
                timings.append(time.perf_counter() - start)
            if len(timings) == 3:
                add1u = f"{fmt(timings[2])} ({outcome.explanation['runs']})"
            else:
                add1u = "not run (≈ runs × one MES run)"
            rows = len(profile_arrays(instance, profile).weights)
            lines.append(f"| {voters:,} | {rows:,} | {fmt(parse)} | {fmt(timings[0])} | "
                         f"{fmt(timings[1])} | {add1u} |")
            print(lines[-1], flush=True)
    return lines


NOTES = """
## Findings

- **Correctness.** For every shared instance, rule, utility, completion and both tie-breaking
  rules (`lexico`; `maxvotes-mincost` on all but Łódź) our selected set equals pabutools 1.2.3's
  (`tests/pb/test_rules_reference.py` against `tests/pb/data/pabutools_outcomes.json`, produced
  by `bench/pb_reference.py`). Computations pabutools did not finish in 300 s are recorded
  there as skipped (Łódź: add1 without exhaustive stop).
- **Wieliczka 2023** (`rule;equalshares/add1`): `mes --completion add1` (add1 *without* the
  exhaustive stop) reproduces the official `selected` column exactly (30 projects, 995,079 PLN;
  per-voter budget B/n + k, the next unit overspends). `add1u` (pabutools/equalshares.net:
  stop at the first exhaustive outcome, then greedy) returns 31 projects, 984,579 PLN: 66 and 67
  instead of 46. The difference is the stop rule, not tie-breaking or integral endowments.
- **add1/add1u and the 50× target.** add1 goes through one per-voter budget per currency unit
  (Toulouse: 638, Las: 530, Gdańsk: 807, Ursus: 162, Wieliczka: 151, Łódź: 60). Three exact
  shortcuts avoid most of those MES runs, each tested against plain reruns
  (`tests/pb/test_mes_stability.py`, `tests/pb/test_mes_tail.py`):
  1. *Whole-run stability* (`pb/rules/mes/stability.py`): along a fixed run (same purchases,
     same supporters paying all they have) every budget is affine in the extra per-voter
     budget x, so each run proves up to which x it stays the same; those steps are not rerun.
  2. *Resuming*: a rerun takes over the purchases of the previous run that provably stay the
     same and computes only the rest.
  3. *Stable prefix, bounded tail* (`pb/rules/mes/tail.py`, since 2026-12-03): on the larger
     files some poor/rich split near the end of the run changes at almost every step, so 1.
     alone skipped little (Toulouse 288 of 638 runs computed). But add1 only needs to know that
     a step is feasible and not exhaustive. While a prefix of the run is provably the same,
     the projects its buyers cannot afford afterwards stay unselected, and the rest of the run
     can cost at most min(their costs, what their supporters still hold) — if that still
     leaves room for the cheapest never-bought project, the step is passed without computing
     the tail.
  MES runs computed (purchases recomputed): Toulouse 82 of 638 (799; was 288 and 1,849),
  Wieliczka 41 of 151 (757; was 143 and 2,038), Łódź 31 of 60 (1,124; was 60 and 1,923),
  Ursus 139 of 162 (3,723; was 162 and 4,244), Las 52 of 530, Gdańsk 4 of 807, Kraków 5 of 20.
  Budgets are float64 with a proven error bound (8·(P + 2)·2⁻⁵³·start for P projects) and
  only the prices of bought projects are exact rationals (`pb/rules/mes/budgets.py`): a class
  of voters with money left paid ρ_q·u_q for each bought q it supports, so its budget is
  start − Σ_q U[c,q]·ρ_q and a sum over supporters is one exact term per purchase. Every float
  decision (affordability, poor/rich split, a budget used up, the stability limits, the tail
  bounds) subtracts its error bound and is redone exactly where it cannot decide; on the shared
  files that fallback never triggers, and `tests/pb/test_mes_budgets.py` inflates the bounds
  until nearly every decision takes the exact path and checks that no outcome changes. gmpy2
  is a runtime dependency (the `Fraction` fallback makes add1u 30–45 % slower).
  With these, every rule where pabutools takes more than a second is at least 50× faster in
  the table above. The 40-voter synthetic file stays at about 1× (2 ms vs 2 ms).
- **1 M synthetic voters:** add1u was not run (hundreds of MES runs of ~1.5 s each); parse,
  greedy and MES grow linearly with the number of distinct ballots.
- **How it is fast and exact.** Identical ballots are merged (Łódź: 90,494 voters → 23,571
  rows); prices ρ are computed in float64 with lazy re-evaluation (ρ only grows) and a rigorous
  error bound. The price of each bought project is exact (gmpy2 `mpq`, else `Fraction`);
  budgets are float64 with a proven error bound, exact on demand from the exact prices
  (`pb/rules/mes/budgets.py`); every decision within the bounds (ties, the poor/rich split,
  affordability, a budget used up) is redone exactly.
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="substring of the instance file names")
    parser.add_argument("--limit", type=float, default=300, help="pabutools time limit (s)")
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    header = [
        "# PB engine vs pabutools 1.2.3",
        "",
        f"One run of `bench/pb_vs_pabutools.py` on {platform.machine()}, "
        f"Python {platform.python_version()}, "
        "lexicographic tie-breaking. Ours: the best of up to 10 runs (at least 3, fewer once 3 s "
        "are spent), from the parsed election: a run of ours takes milliseconds and on this "
        "shared machine one run is often slowed by a third by other work. pabutools: one run "
        "in a child process (seconds to minutes), 300 s at most.",
        "",
    ]
    lines = header + compare(args.only, args.limit)
    lines += ["", f"Load average at the end of the comparison: "
              f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())} (1/5/15 min) on "
              f"{os.cpu_count()} CPUs — the machine is shared, so absolute times are noisy."]
    if not args.only:
        lines += memory_lines()
    if not args.no_growth:
        lines += growth_lines([10_000, 100_000, 1_000_000])
    text = "\n".join(lines) + "\n" + NOTES
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
