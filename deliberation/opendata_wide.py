"""``participants-votes.csv`` of a Polis openData export: one row per participant, one column
per statement (the final matrix), and Polis's ``group-id``.

Read with pyarrow and checked column by column; when a check fails, row by row with the csv
module, which names the first bad line (:mod:`deliberation.polis_io`).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from deliberation.opendata_cells import (
    _arrow_table,
    _int,
    _int_column,
    _numbers,
    _read_text,
    _valid,
    _vote,
)


def _statement_columns(path: Path, header: list[str]) -> tuple[int, np.ndarray]:
    """(index of the first vote column, tid of every vote column); duplicates refused."""
    first = next((i for i, h in enumerate(header) if h.strip().isdigit()), None)
    if first is None or "participant" not in header:
        raise ValueError(f"{path}: no participant column or no statement columns")
    tids = [_int(h, where=f"{path}, header column {first + j + 1}")
            for j, h in enumerate(header[first:])]
    if len(set(tids)) != len(tids):
        dup = next(t for t in tids if tids.count(t) > 1)
        raise ValueError(f"{path}: statement {dup} has two columns in the header")
    return first, np.array(tids, dtype=np.int64)


def _wide_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        return next(csv.reader(fh), [])


def _wide_ids(table, path: Path) -> tuple[np.ndarray, dict[int, int]] | None:
    """(participant ids, groups) from a table, or ``None`` when a check fails."""
    import pyarrow as pa

    names = table.column_names
    if names.count("participant") != 1 or names.count("group-id") > 1:
        return None
    pids = _int_column(table.column("participant"))
    if pids is None or len(np.unique(pids)) != len(pids):
        return None
    groups: dict[int, int] = {}
    if "group-id" in names:
        column = table.column("group-id")
        gids = _int_column(table.column("group-id"), nulls=True)
        if gids is None:
            return None
        valid = _valid(column) if not pa.types.is_null(column.type) else (
            np.zeros(len(pids), dtype=bool))
        groups = dict(zip(pids[valid].tolist(), gids[valid].tolist(), strict=True))
    return pids, groups


def _read_groups(path: Path) -> dict[int, int]:
    """Only the ``group-id`` of each participant in ``participants-votes.csv``."""
    header = _wide_header(path)
    if "participant" in header:
        table = _arrow_table(path, columns=["participant", "group-id"] if "group-id" in header
                             else ["participant"])
        ids = _wide_ids(table, path) if table is not None and table.num_rows else None
        if ids is not None:
            return ids[1]
    return _read_wide_rows(path)[3]


def _read_wide(path: Path):
    """``participants-votes.csv``: one event per voted cell, rows in file order.

    Polis writes the rows in its matrix order, i.e. by arrival (not by participant id), so
    the file order is kept: it is the arrival order k-means starts from (§5).
    """

    header = _wide_header(path)
    if header:
        first, col_tids = _statement_columns(path, header)
        table = _arrow_table(path)
        ids = _wide_ids(table, path) if table is not None and table.num_rows else None
        if ids is not None and table.num_columns == len(header):
            pids, groups = ids
            events = _wide_events(table, first, len(col_tids))
            if events is not None:
                rows, cols, votes = events
                return pids[rows], col_tids[cols], -votes, groups
    return _read_wide_rows(path)


def _wide_events(table, first: int, m: int):
    """(rows, statement columns, export-sign votes) of every voted cell, row-major, or ``None``
    when a statement column is not whole numbers in {-1, 0, 1}. The statement columns are
    joined into one Arrow array first, so the checks are a few numpy calls, not one per
    column."""
    import pyarrow as pa

    n = table.num_rows
    columns = [table.column(first + j) for j in range(m)]
    typed = [j for j, column in enumerate(columns) if not pa.types.is_null(column.type)]
    if any(columns[j].type != pa.int64() for j in typed):
        return None
    if not typed:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    joined = pa.chunked_array(
        [pa.concat_arrays([chunk for j in typed for chunk in columns[j].chunks])])
    voted = np.flatnonzero(_valid(joined))
    votes = _numbers(joined, np.int64)[voted]
    if not ((votes >= -1) & (votes <= 1)).all():
        return None
    rows = voted % n
    cols = np.asarray(typed, dtype=np.int64)[voted // n]
    order = np.argsort(rows, kind="stable")  # row-major: rows, then columns left to right
    return rows[order], cols[order], votes[order]


def _read_wide_rows(path: Path):
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    header = next(reader, None)
    if not header:
        raise ValueError(f"{path}: empty file")
    first, col_tids = _statement_columns(path, header)
    p_col = header.index("participant")
    g_col = header.index("group-id") if "group-id" in header else None
    pids, tids, votes, groups, seen = [], [], [], {}, set()
    for n, row in enumerate(reader, start=2):
        where = f"{path}, line {n}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(f"{where}: {len(row)} cells, the header has {len(header)}")
        pid = _int(row[p_col], where=where)
        if pid in seen:
            raise ValueError(f"{where}: duplicate participant {pid}")
        seen.add(pid)
        if g_col is not None and row[g_col].strip():
            groups[pid] = _int(row[g_col], where=where)
        for j, cell in enumerate(row[first:]):
            if cell.strip():
                pids.append(pid)
                tids.append(col_tids[j])
                votes.append(_vote(cell, where=f"{where}, statement {col_tids[j]}"))
    if not seen:
        raise ValueError(f"{path}: no participants")
    return np.array(pids, dtype=np.int64), np.array(tids, dtype=np.int64), \
        np.array(votes, dtype=np.int64), groups
