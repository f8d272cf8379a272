"""Generate the pabutools 1.2.3 reference outcomes the PB test suite compares against.

Run once (it takes minutes, mostly Łódź 2022):

    OMP_NUM_THREADS=1 .venv/bin/python bench/pb_reference.py

and commit ``tests/pb/data/pabutools_outcomes.json``. Each (file, rule) runs in its own
process with a time limit; a computation that exceeds it is recorded as skipped with the
reason. The mapping from our rule names to pabutools calls is the one in issue 4 /
docs/pb-rules.md §2. pabutools is a GPL test oracle only: nothing here is imported by ``pb``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pb.pabutools_adapter import run_pabutools  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "pabulib"
OUT = ROOT / "tests" / "pb" / "data" / "pabutools_outcomes.json"
TIME_LIMIT_SECONDS = 300

UTILITIES = {
    "approval": ["cost", "cardinality"],
    "choose-1": ["cost", "cardinality"],
    "cumulative": ["cost", "cardinality", "points"],
    "scoring": ["cost", "cardinality", "points"],
    "ordinal": ["cost", "cardinality", "borda"],
}


def case_key(rule: str, utility: str | None, completion: str | None, tie_break: str) -> str:
    """The key of one computation in the JSON file (shared with tests/pb)."""
    parts = [rule]
    if utility is not None:
        parts.append(f"utility={utility}")
    if completion is not None:
        parts.append(f"completion={completion}")
    parts.append(f"tie={tie_break}")
    return "|".join(parts)


def cases_for(
    vote_type: str, *, large: bool, fully_funded: bool
) -> list[tuple[str, str | None, str | None, str]]:
    """All (rule, utility, completion, tie_break) combinations that apply to a vote type.

    add1 without the exhaustive stop never terminates on a fully funded election (the outcome
    never becomes infeasible, docs/pb-rules.md §3.5), so it is only computed elsewhere.
    """
    ties = ["lexico"] if large else ["lexico", "maxvotes-mincost"]
    out = []
    for tie in ties:
        out.append(("greedy", None, None, tie))
        for utility in UTILITIES[vote_type]:
            for completion in ("none", "add1u"):
                out.append(("mes", utility, completion, tie))
        if vote_type in ("approval", "choose-1"):
            out.append(("phragmen", None, None, tie))
            if not fully_funded:
                out.append(("mes", "cost", "add1", tie))
    return out


def _worker(queue, args):
    try:
        selected, cost, seconds = run_pabutools(*args)
        result = {"selected": selected, "cost": str(cost), "seconds": round(seconds, 3)}
        if len(args) > 5 and args[5]:
            result["multiprofile"] = True
        queue.put(result)
    except Exception as exc:  # recorded, never hidden
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def compute_with_limit(args, limit: float) -> dict:
    """Run one pabutools computation in a child process, killed after ``limit`` seconds."""
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_worker, args=(queue, args))
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return {"skipped": f"pabutools took more than {limit:.0f} s (killed)"}
    return queue.get()


def _is_fully_funded(path: Path) -> bool:
    from pabutools.election import parse_pabulib

    instance, _ = parse_pabulib(str(path))
    return sum(p.cost for p in instance) <= instance.budget_limit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="substring of the file names to (re)compute")
    parser.add_argument("--limit", type=float, default=TIME_LIMIT_SECONDS)
    parser.add_argument("--keep", action="store_true", help="keep outcomes already stored")
    parser.add_argument("--multiprofile", action="store_true",
                        help="run pabutools on its MultiProfile (identical ballots merged)")
    args = parser.parse_args(argv)
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    for path in sorted(DATA.glob("*.pb")):
        if args.only and args.only not in path.name:
            continue
        vote_type = next(
            line.split(";")[1].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("vote_type;")
        )
        large = path.stat().st_size > 1_000_000
        fully_funded = _is_fully_funded(path)
        entry = results.setdefault(path.name, {})
        for rule, utility, completion, tie in cases_for(
            vote_type, large=large, fully_funded=fully_funded
        ):
            key = case_key(rule, utility, completion, tie)
            if args.keep and "selected" in entry.get(key, {}):
                continue
            entry[key] = compute_with_limit(
                (path, rule, utility, completion, tie, args.multiprofile), args.limit)
            print(path.name, key, {k: v for k, v in entry[key].items() if k != "selected"},
                  flush=True)
            OUT.parent.mkdir(parents=True, exist_ok=True)
            OUT.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
