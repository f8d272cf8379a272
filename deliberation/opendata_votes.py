"""``votes.csv`` (every vote event) and ``comments.csv`` of a Polis openData export.

Each is read with pyarrow and checked column by column; when a check fails, row by row with the
csv module, which names the first bad line (:mod:`deliberation.polis_io`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from deliberation.opendata_cells import (
    _arrow_table,
    _event_times,
    _int,
    _int_column,
    _numbers,
    _read_rows,
    _vote,
)


def read_comments_csv(path: Path) -> tuple[dict[int, str], set[int], set[int]]:
    """``comments.csv`` → (texts by tid, mod-out tids, meta tids) (§11)."""
    table = _arrow_table(path, columns=["comment-id", "comment-body", "is-meta", "moderated"],
                         text_columns=("comment-body", "is-meta"))
    if table is not None and table.num_rows:
        tids = _int_column(table.column("comment-id"))
        moderated = _int_column(table.column("moderated"), nulls=True)
        if tids is not None and moderated is not None and len(np.unique(tids)) == len(tids):
            bodies = table.column("comment-body").to_pylist()
            flags = table.column("is-meta").to_pylist()
            ids = tids.tolist()
            texts = {tid: body or "" for tid, body in zip(ids, bodies, strict=True)}
            meta = {tid for tid, flag in zip(ids, flags, strict=True)
                    if str(flag or "").strip().lower() in ("1", "true")}
            mod_out = meta | set(tids[moderated == -1].tolist())
            return texts, mod_out, meta
    return _read_comments_rows(path)


def _read_comments_rows(path: Path) -> tuple[dict[int, str], set[int], set[int]]:
    texts, mod_out, meta = {}, set(), set()
    for n, row in _read_rows(path):
        where = f"{path}, line {n}"
        tid = _int(row.get("comment-id"), where=where)
        if tid in texts:
            raise ValueError(f"{where}: duplicate comment-id {tid}")
        texts[tid] = row.get("comment-body") or ""
        is_meta = str(row.get("is-meta", "")).strip().lower() in ("1", "true")
        if is_meta:
            meta.add(tid)
        if is_meta or _int(row.get("moderated") or 0, where=where) == -1:
            mod_out.add(tid)
    return texts, mod_out, meta


def _read_events(path: Path):
    """``votes.csv`` → (pids, tids, internal-sign votes, timestamps or None), file order."""
    table = _arrow_table(path, columns=["timestamp", "comment-id", "voter-id", "vote"],
                         types={"timestamp": "float64", "comment-id": "int64",
                                "voter-id": "int64", "vote": "int64"})
    if table is not None and table.num_rows:
        pids = _int_column(table.column("voter-id"))
        tids = _int_column(table.column("comment-id"))
        votes = _int_column(table.column("vote"))
        stamps = _arrow_times(table.column("timestamp"))
        if (pids is not None and tids is not None and votes is not None and stamps is not False
                and ((votes >= -1) & (votes <= 1)).all()):
            return pids, tids, -votes, stamps
    return _read_events_rows(path)


def _arrow_times(column):
    """Finite float times, ``None`` when every one is missing, ``False`` if not checked here."""
    import pyarrow as pa

    if column.null_count == len(column):
        return None
    if column.null_count or not (pa.types.is_integer(column.type)
                                 or pa.types.is_floating(column.type)):
        return False
    dtype = np.int64 if column.type == pa.int64() else (
        np.float64 if column.type == pa.float64() else None)
    if dtype is None:
        return False
    stamps = _numbers(column, dtype).astype(np.float64)
    return stamps if np.isfinite(stamps).all() else False


def _read_events_rows(path: Path):
    rows = _read_rows(path)
    pids, tids, votes = (np.empty(len(rows), dtype=np.int64) for _ in range(3))
    for i, (n, row) in enumerate(rows):
        where = f"{path}, line {n}"
        pids[i] = _int(row.get("voter-id"), where=where)
        tids[i] = _int(row.get("comment-id"), where=where)
        votes[i] = _vote(row.get("vote"), where=where)
    stamps = _event_times([row.get("timestamp") for _, row in rows],
                          where=lambda i: f"{path}, line {rows[i][0]}")
    return pids, tids, votes, stamps
