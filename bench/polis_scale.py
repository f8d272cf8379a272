"""Scale benchmark: synthetic conversations with planted opinion groups (one run per size).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/polis_scale.py [--big]

Each size runs in a fresh subprocess so its peak RSS (``ru_maxrss``) is its own; the peak
includes the generated event arrays. Times: building the vote matrix from events, then the
whole pipeline (PCA, projection, base clusters k = 100, groups k = 2..5, repness, consensus,
group-aware consensus, priorities). ``--big`` adds 100,000 × 2,000.
One size alone: ``bench/polis_scale.py --one PARTICIPANTS STATEMENTS EVENTS`` (JSON line).
``bench/polis_scale.py --write-opendata DIR`` writes the 33,422 × 783, 2 M-event conversation
as an openData export: ``votes.csv`` with every event (millisecond timestamps, export sign),
``participants-votes.csv`` (the final matrix, planted groups as ``group-id``), ``comments.csv``.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SIZES = [  # participants, statements, vote events
    (33_422, 783, 500_000),
    (33_422, 783, 1_000_000),
    (33_422, 783, 2_000_000),
    # The largest real Polis conversation (PR #2675): about 2 M votes. Re-votes make
    # 2,276,000 events ≈ 2.0 M distinct (participant, statement) cells.
    (33_422, 783, 2_276_000),
    (33_422, 783, 4_000_000),
]
BIG = [(100_000, 2_000, 6_000_000), (100_000, 2_000, 12_000_000)]


def measure(n: int, m: int, v: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from deliberation.matrix import build_vote_matrix
    from deliberation.pipeline import run_pipeline
    from deliberation.synthetic import planted_conversation

    conv = planted_conversation(n_participants=n, n_statements=m, n_votes=v, n_groups=3,
                                seed=1)
    start = time.perf_counter()
    matrix = build_vote_matrix(pids=conv.pids, tids=conv.tids, votes=conv.votes,
                               timestamps=conv.timestamps)
    built = time.perf_counter()
    result = run_pipeline(matrix)
    done = time.perf_counter()
    rows = np.flatnonzero(result.in_conv)
    ari = adjusted_rand_score(conv.planted_group[matrix.pids[rows]], result.group_of[rows])
    return {"participants": matrix.shape[0], "statements": matrix.shape[1],
            "votes": int(matrix.raw.nnz), "events": v, "build_s": built - start,
            "pipeline_s": done - built, "total_s": done - start,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "groups": len(result.group_ids), "ari_planted": ari}


def write_opendata_export(folder: Path, n: int = 33_422, m: int = 783,
                          v: int = 2_000_000) -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from deliberation.matrix import build_vote_matrix
    from deliberation.polis_io import write_opendata
    from deliberation.synthetic import planted_conversation

    conv = planted_conversation(n_participants=n, n_statements=m, n_votes=v, n_groups=3, seed=1)
    matrix = build_vote_matrix(pids=conv.pids, tids=conv.tids, votes=conv.votes,
                               timestamps=conv.timestamps)
    write_opendata(folder, matrix, group_of=conv.planted_group[matrix.pids])
    stamps = (1_500_000_000_000 + conv.timestamps * 1000).astype(np.int64)
    with open(folder / "votes.csv", "w", encoding="utf-8") as out:
        out.write("timestamp,datetime,comment-id,voter-id,vote\n")
        out.writelines(f"{t},,{c},{p},{-x}\n" for t, c, p, x in zip(
            stamps.tolist(), conv.tids.tolist(), conv.pids.tolist(), conv.votes.tolist(),
            strict=True))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--write-opendata":
        write_opendata_export(Path(sys.argv[2]))
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        print(json.dumps(measure(*map(int, sys.argv[2:]))))
        return
    sizes = SIZES + (BIG if "--big" in sys.argv else [])
    print("| participants × statements | votes (cells) | build (s) | pipeline (s) | total (s) "
          "| peak RSS (MB) | groups | ARI vs planted |")
    print("|---|---|---|---|---|---|---|---|")
    for n, m, v in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), str(m), str(v)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {r['participants']:,} × {r['statements']:,} | {r['votes']:,} | "
              f"{r['build_s']:.2f} | {r['pipeline_s']:.2f} | {r['total_s']:.2f} | "
              f"{r['peak_rss_mb']:,.0f} | {r['groups']} | {r['ari_planted']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
