"""Which CSV reader for Polis openData: time and peak memory of each candidate, each in a fresh
process, import timed apart; ``votes.csv`` read to int64 columns, ``participants-votes.csv`` to
a dense float matrix (empty cell = NaN).

    .venv/bin/python bench/polis_csv_readers.py votes=DIR/votes.csv wide=DIR/participants-votes.csv

e.g. the 2 M-vote synthetic export ``bench/polis_scale.py --write-opendata DIR`` writes, and
american-assembly.bowling-green's participants-votes.csv. Candidates: stdlib csv (what we
had), pandas with its C and pyarrow engines, pyarrow.csv, polars.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VOTE_COLUMNS = ["timestamp", "comment-id", "voter-id", "vote"]


def _votes(reader: str, path: str):
    if reader == "csv":
        import csv

        import numpy as np
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return [np.array([float(r[c]) for r in rows]) for c in VOTE_COLUMNS]
    if reader.startswith("pandas"):
        import pandas as pd
        engine = reader.split("-")[1]
        frame = pd.read_csv(path, usecols=VOTE_COLUMNS, engine=engine)
        return [frame[c].to_numpy() for c in VOTE_COLUMNS]
    if reader == "pyarrow":  # numbers from the Arrow buffers: pyarrow's to_numpy imports pandas
        import numpy as np
        import pyarrow.csv as pv

        from deliberation.opendata_cells import _numbers
        table = pv.read_csv(path, convert_options=pv.ConvertOptions(include_columns=VOTE_COLUMNS))
        return [_numbers(table.column(c), np.int64) for c in VOTE_COLUMNS]
    if reader == "polars":
        import polars as pl
        frame = pl.read_csv(path, columns=VOTE_COLUMNS)
        return [frame[c].to_numpy() for c in VOTE_COLUMNS]
    raise ValueError(reader)


def _wide(reader: str, path: str):
    if reader == "csv":
        import csv

        import numpy as np
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))[1:]
        return np.array([[float(c) if c else np.nan for c in r[6:]] for r in rows])
    if reader.startswith("pandas"):
        import pandas as pd
        return pd.read_csv(path, engine=reader.split("-")[1]).to_numpy(dtype=float)
    if reader == "pyarrow":
        import numpy as np
        import pyarrow.csv as pv

        from deliberation.opendata_cells import _numbers, _valid
        table = pv.read_csv(path)
        return np.column_stack([np.where(_valid(c), _numbers(c, np.int64), np.nan)
                                if c.null_count < len(c) else np.full(len(c), np.nan)
                                for c in table.columns[6:]])
    if reader == "polars":
        import polars as pl
        return pl.read_csv(path, infer_schema_length=0).cast(pl.Float64).to_numpy()
    raise ValueError(reader)


IMPORTS = {"csv": "csv", "pandas-c": "pandas", "pandas-pyarrow": "pandas",
           "pyarrow": "pyarrow.csv", "polars": "polars"}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one(reader: str, what: str, path: str) -> dict:
    import importlib

    import numpy  # noqa: F401  (every candidate needs it; not counted)
    start, cpu = time.perf_counter(), _cpu()
    importlib.import_module(IMPORTS[reader])
    imported, cpu_imported = time.perf_counter(), _cpu()
    (_votes if what == "votes" else _wide)(reader, path)
    return {"import_s": imported - start, "import_cpu": cpu_imported - cpu,
            "read_s": time.perf_counter() - imported, "read_cpu": _cpu() - cpu_imported,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    if sys.argv[1] == "--one":
        print(json.dumps(one(*sys.argv[2:5])))
        return
    files = [arg.split("=", 1) if "=" in arg else ("votes", arg) for arg in sys.argv[1:]]
    print("Wall seconds (CPU seconds in brackets) in a fresh process; import counted apart.\n")
    print("| reader | import | " + " | ".join(f"{what}: {path.rsplit('/', 2)[-2]}/"
                                             f"{path.rsplit('/', 1)[-1]} (peak MB)"
                                             for what, path in files) + " |")
    print("|---|---|" + "---|" * len(files))
    for reader in ("csv", "pandas-c", "pandas-pyarrow", "pyarrow", "polars"):
        cells, imports = [], []
        for what, path in files:
            out = subprocess.run([sys.executable, __file__, "--one", reader, what, path],
                                 capture_output=True, text=True)
            if out.returncode:
                cells.append("error")
                continue
            r = json.loads(out.stdout)
            imports.append(f"{r['import_s']:.2f} ({r['import_cpu']:.2f})")
            cells.append(f"{r['read_s']:.2f} ({r['read_cpu']:.2f}), {r['peak_mb']:.0f} MB")
        print(f"| {reader} | {imports[0] if imports else ''} | " + " | ".join(cells) + " |",
              flush=True)


if __name__ == "__main__":
    main()
