"""Engine CLI: ``python -m deliberation cluster PATH --format {opendata,fixture} [--json]``.

No Flask. Errors in the input print one line ``error: ...`` and exit with status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from deliberation.math_json import to_math_pca2, warm_start_from_math_pca2
from deliberation.pipeline import ClusteringResult, WarmStart, run_pipeline
from deliberation.polis_io import read_fixture, read_opendata


def _read_json(path: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: cannot read JSON ({err})") from None


def _sticky_in_conv(path: str) -> list[int]:
    """A JSON list of participant ids, or a math-pca2.json (its ``in-conv`` is used)."""
    data = _read_json(path)
    if isinstance(data, dict):
        data = data.get("in-conv")
    if not isinstance(data, list) or not all(isinstance(p, int) and not isinstance(p, bool)
                                             for p in data):
        raise ValueError(f"{path}: expected a JSON list of participant ids (or math-pca2.json)")
    return data


def _previous_state(path: str) -> WarmStart:
    """The warm-start state stored in a previous math-pca2.json (ours or Polis's)."""
    math = _read_json(path)
    if not isinstance(math, dict):
        raise ValueError(f"{path}: expected a math-pca2 JSON object")
    try:
        return warm_start_from_math_pca2(math)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None


def summary(result: ClusteringResult, texts: dict[int, str], *, top: int = 3) -> str:
    """A readable summary: groups, sizes, their top representative and consensus statements."""
    m = result.matrix
    lines = [f"{m.shape[0]} participants, {m.shape[1]} statements, "
             f"{m.raw.nnz} votes; {int(result.in_conv.sum())} clustered, "
             f"{len(result.base.ids)} base clusters, {len(result.group_ids)} groups "
             f"(silhouette {', '.join(f'k={k}: {v:.3f}' for k, v in result.silhouettes.items())})"]
    for g, gid in enumerate(result.group_ids):
        lines.append(f"\nGroup {gid}: {int(result.group_votes.n_members[g])} participants")
        for rec in result.repness[int(gid)][:top]:
            share = rec["n-success"] / max(rec["n-trials"], 1)
            lines.append(f"  {rec['repful-for']:>8} {share:4.0%} #{rec['tid']}: "
                         f"{texts.get(rec['tid'], '')[:90]}")
    for side in ("agree", "disagree"):
        if result.consensus[side]:
            lines.append(f"\nConsensus ({side}):")
            for rec in result.consensus[side][:top]:
                lines.append(f"  {rec['p-success']:4.0%} #{rec['tid']}: "
                             f"{texts.get(rec['tid'], '')[:90]}")
    lines.extend(f"\nnote: {n}" for n in result.notes)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deliberation")
    sub = parser.add_subparsers(dest="command", required=True)
    cl = sub.add_parser("cluster", help="cluster one conversation (docs/polis-math.md)")
    cl.add_argument("path", help="openData export folder or red-dwarf fixture folder")
    cl.add_argument("--format", choices=("opendata", "fixture"), default="opendata")
    cl.add_argument("--in-conv", metavar="FILE.json",
                    help="sticky in-conv set: JSON list of participant ids, or a math-pca2.json")
    cl.add_argument("--previous", metavar="MATH.json",
                    help="warm start from a previous math-pca2.json (stable axes and groups)")
    cl.add_argument("--json", action="store_true", help="print math-pca2-shaped JSON")
    args = parser.parse_args(argv)
    try:
        reader = read_fixture if args.format == "fixture" else read_opendata
        conv = reader(Path(args.path))
        sticky = _sticky_in_conv(args.in_conv) if args.in_conv else None
        previous = _previous_state(args.previous) if args.previous else None
        result = run_pipeline(conv.matrix, in_conv=sticky, previous=previous)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        if args.json:
            # json.dumps encodes in one C call; json.dump to a stream is 5x slower here
            sys.stdout.write(json.dumps(
                to_math_pca2(result), allow_nan=False,
                default=lambda o: o.item() if isinstance(o, np.generic) else str(o)) + "\n")
        else:
            print(summary(result, conv.texts))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
