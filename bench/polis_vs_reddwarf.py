"""Our Polis pipeline vs red-dwarf 0.4.0 on every openData conversation in shared/ (one run).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/polis_vs_reddwarf.py

Both start from the same in-memory vote list (export sign for red-dwarf, as it expects).
Our time includes building the vote matrix and base clusters (k = 100), which red-dwarf
does not compute. red-dwarf runs with its Polis defaults (PCA, k-means, silhouette k ≤ 5,
min 7 votes) and ``random_state=0``. Also printed: groups found and the adjusted Rand
index of each engine against the ``group-id`` Polis exported.
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "polis"
CONVERSATIONS = ["brexit-consensus", "vtaiwan.uberx", "american-assembly.bowling-green"]

from deliberation.matrix import build_vote_matrix  # noqa: E402
from deliberation.pipeline import run_pipeline  # noqa: E402
from deliberation.polis_io import read_opendata  # noqa: E402


def _events(matrix):
    """Final votes, participants in order of arrival (k-means init order depends on it)."""
    raw = matrix.raw[matrix.arrival].tocoo()
    rows = matrix.arrival[raw.row]
    return matrix.pids[rows], matrix.tids[raw.col], raw.data.astype(np.int64)


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from reddwarf.implementations.base import run_pipeline as reddwarf_pipeline
    # One untimed warm-up call of each pipeline, so that neither side's first timed run pays
    # for lazy imports and first allocations.
    warm = read_opendata(DATA / CONVERSATIONS[0]).matrix
    run_pipeline(warm)
    w_pids, w_tids, w_votes = _events(warm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reddwarf_pipeline(votes=[{"participant_id": int(p), "statement_id": int(t),
                                  "vote": int(-v), "modified": float(i)}
                                 for i, (p, t, v) in enumerate(zip(w_pids, w_tids, w_votes,
                                                                   strict=True))],
                          random_state=0)
    print("| conversation | ptpts × stmts | votes | ours (s) | red-dwarf (s) | speed-up | "
          "groups ours / red-dwarf / Polis | ARI vs Polis ours / red-dwarf |")
    print("|---|---|---|---|---|---|---|---|")
    for name in CONVERSATIONS:
        conv = read_opendata(DATA / name)
        pids, tids, votes = _events(conv.matrix)
        mod_out = [int(t) for t in conv.matrix.tids[conv.matrix.mod_out]]
        records = [{"participant_id": int(p), "statement_id": int(t), "vote": int(-v),
                    "modified": float(i)}
                   for i, (p, t, v) in enumerate(zip(pids, tids, votes, strict=True))]

        start = time.perf_counter()
        matrix = build_vote_matrix(pids=pids, tids=tids, votes=votes, mod_out_tids=mod_out)
        ours = run_pipeline(matrix)
        ours_s = time.perf_counter() - start

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = reddwarf_pipeline(votes=records, mod_out_statement_ids=mod_out,
                                       random_state=0)
        theirs_s = time.perf_counter() - start

        gold_pids = sorted(conv.polis_group_of)
        gold = [conv.polis_group_of[p] for p in gold_pids]
        rows = np.searchsorted(matrix.pids, gold_pids)
        ari_ours = adjusted_rand_score(gold, ours.group_of[rows])
        rd = theirs.participants_df
        rd_label = dict(zip(rd.index, rd["cluster_id"], strict=True)) \
            if "cluster_id" in rd else {}
        rd_groups = [rd_label.get(p, -1) for p in gold_pids]
        rd_groups = [-1 if pd.isna(g) else int(g) for g in rd_groups]
        ari_rd = adjusted_rand_score(gold, rd_groups)
        n_rd = len({g for g in rd_groups if g >= 0})
        print(f"| {name} | {matrix.shape[0]} × {matrix.shape[1]} | {matrix.raw.nnz} | "
              f"{ours_s:.3f} | {theirs_s:.3f} | {theirs_s / ours_s:.1f}× | "
              f"{len(ours.group_ids)} / {n_rd} / {len(set(gold))} | "
              f"{ari_ours:.3f} / {ari_rd:.3f} |")


if __name__ == "__main__":
    main()
