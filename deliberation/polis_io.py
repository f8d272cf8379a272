"""Read and write Polis data: openData CSV exports and red-dwarf fixtures (§2, §11).

Files use the *export* sign (agree = +1); everything returned here is in the internal
sign (agree = −1). Every malformed input raises ``ValueError`` naming the file and row.

The openData CSV files are read with ``pyarrow.csv`` (multi-threaded C++, typed columns,
empty cells as nulls; chosen over pandas and polars for its import cost, see README "Polis
CSV reader"), imported only when a CSV file is read. Each file is checked column by column
(whole numbers, votes in {-1, 0, 1}, no missing ids, no duplicate ids). When a check fails
or pyarrow refuses the file, the file is read again row by row with the csv module, which
either finds the first bad row and raises the message naming its line, or reads what
pyarrow could not type (``7.0`` as an id, blank rows of commas): messages and results are
the same on both paths.
"""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deliberation.matrix import VoteMatrix, build_vote_matrix

csv.field_size_limit(10_000_000)


@dataclass(frozen=True)
class Conversation:
    """A loaded conversation: the matrix, statement texts, and Polis's own groups if exported."""

    matrix: VoteMatrix
    texts: dict[int, str] = field(default_factory=dict)
    polis_group_of: dict[int, int] = field(default_factory=dict)


INT64_MAX = 2**63 - 1


def _int(value: str | None, *, where: str) -> int:
    """A whole number that fits int64; ``"3"`` and ``"3.0"`` are fine, ``"2.7"``, ``"inf"``
    and ``"1e30"`` are refused rather than truncated (a 0.9 vote must not become a pass)."""
    text = "" if value is None else str(value).strip()
    try:
        number = int(text)
    except ValueError:
        try:
            real = float(text)
        except ValueError:
            real = float("nan")
        if not real.is_integer():
            raise ValueError(f"{where}: expected an integer, got {value!r}") from None
        number = int(real)
    if abs(number) > INT64_MAX:
        raise ValueError(f"{where}: integer out of range, got {value!r}")
    return number


def _timestamp(value, *, where: str) -> float:
    try:
        stamp = float(value)
    except (TypeError, ValueError):
        stamp = math.nan
    if not math.isfinite(stamp):
        raise ValueError(f"{where}: expected a timestamp, got {value!r}")
    return stamp


def _event_times(raw: list, *, where: Callable[[int], str]) -> np.ndarray | None:
    """Every event's time, or None when the file has none (then file order is vote order).

    Mixing timed and untimed events has no defined order, so it is refused.
    """
    missing = [i for i, v in enumerate(raw) if v in (None, "")]
    if len(missing) == len(raw):
        return None
    if missing:
        raise ValueError(f"{where(missing[0])}: missing timestamp (other votes have one)")
    return np.array([_timestamp(v, where=where(i)) for i, v in enumerate(raw)])


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row as dict) for every data row; blank lines are skipped."""
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    rows = [(reader.line_num, row) for row in reader]
    if not rows:
        raise ValueError(f"{path}: empty file (no data rows)")
    return rows


def _arrow_table(path: Path, *, columns: list[str] | None = None, text_columns=(),
                 types: dict | None = None):
    """``path`` as a pyarrow Table (``columns`` only, missing ones all null), or ``None`` when
    pyarrow refuses it (ragged rows, not UTF-8, a cell not of its column's ``types`` (a name →
    ``"int64"``/``"float64"`` map; other columns are inferred), empty...): the caller then
    reads row by row."""
    import pyarrow as pa
    import pyarrow.csv as pv

    try:
        return pv.read_csv(
            path,
            # one thread: on a shared 2-core machine threads cost more than they save
            read_options=pv.ReadOptions(use_threads=False),
            parse_options=pv.ParseOptions(newlines_in_values=bool(text_columns)),
            convert_options=pv.ConvertOptions(
                include_columns=columns, include_missing_columns=columns is not None,
                column_types={**{name: pa.string() for name in text_columns},
                              **{name: pa.type_for_alias(t) for name, t in (types or {}).items()}}),
        )
    except (pa.ArrowInvalid, OSError):
        return None


def _numbers(column, dtype) -> np.ndarray:
    """A pyarrow int64/float64 column's values as numpy (read from its buffers: pyarrow's
    own ``to_numpy`` imports pandas); values under nulls are unspecified."""
    parts = [np.frombuffer(chunk.buffers()[1], dtype=dtype)[chunk.offset:chunk.offset + len(chunk)]
             for chunk in column.chunks]
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def _valid(column) -> np.ndarray:
    """Where a pyarrow column has a value (not null), as a boolean numpy array."""
    parts = []
    for chunk in column.chunks:
        bitmap = chunk.buffers()[0]
        if not chunk.null_count or bitmap is None:  # no null, or all null (the null type)
            parts.append(np.full(len(chunk), not chunk.null_count))
            continue
        bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
        parts.append(bits[chunk.offset:chunk.offset + len(chunk)].astype(bool))
    return np.concatenate(parts) if parts else np.empty(0, dtype=bool)


def _int_column(column, *, nulls: bool = False) -> np.ndarray | None:
    """An int64 pyarrow column as numpy (nulls as 0 if ``nulls``), or ``None`` when it is not
    one."""
    import pyarrow as pa

    if pa.types.is_null(column.type) and nulls:
        return np.zeros(len(column), dtype=np.int64)
    if column.type != pa.int64() or (column.null_count and not nulls):
        return None
    values = _numbers(column, np.int64)
    return np.where(_valid(column), values, 0) if column.null_count else values


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


def read_opendata(folder: Path | str) -> Conversation:
    """Read a Polis openData export folder.

    Uses ``votes.csv`` (every vote event, latest wins) when present, otherwise the final
    matrix in ``participants-votes.csv``; ``comments.csv`` (optional) for moderation and
    texts; the ``group-id`` column of ``participants-votes.csv`` (if present) for
    Polis's groups (when ``votes.csv`` is there, only the ``participant`` and ``group-id``
    columns of ``participants-votes.csv`` are read and checked).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    texts, mod_out, meta = {}, set(), set()
    if (folder / "comments.csv").exists():
        texts, mod_out, meta = read_comments_csv(folder / "comments.csv")
    groups: dict[int, int] = {}
    wide = folder / "participants-votes.csv"
    if (folder / "votes.csv").exists():
        pids, tids, votes, stamps = _read_events(folder / "votes.csv")
        if wide.exists():  # the votes come from the events; only the groups from here
            groups = _read_groups(wide)
    elif wide.exists():
        pids, tids, votes, groups = _read_wide(wide)
        stamps = None
    else:
        raise ValueError(f"{folder}: neither votes.csv nor participants-votes.csv")
    matrix = build_vote_matrix(pids=pids, tids=tids, votes=votes, timestamps=stamps,
                               mod_out_tids=mod_out, meta_tids=meta)
    return Conversation(matrix=matrix, texts=texts, polis_group_of=groups)


def _vote(value: str, *, where: str) -> int:
    v = _int(value, where=where)
    if v not in (-1, 0, 1):
        raise ValueError(f"{where}: unknown vote value {value!r} (expected 1, -1 or 0)")
    return -v  # export sign → internal sign


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


def _json_int(value, *, where: str) -> int:
    """A JSON whole number (``3`` or ``3.0``); strings, booleans and fractions are refused."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise ValueError(f"{where}: expected an integer, got {value!r}")
    return _int(repr(value), where=where)


def _json_list_of_objects(path: Path) -> list[dict]:
    try:
        data = json.loads(_read_text(path))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: cannot read ({err})") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise ValueError(f"{path}: expected a JSON list of objects")
    return data


def _fixture_comments(path: Path) -> tuple[dict[int, str], set[int], set[int]]:
    """``comments.json`` → (texts by tid, mod-out tids, meta tids)."""
    texts, mod_out, meta = {}, set(), set()
    for n, c in enumerate(_json_list_of_objects(path)):
        where = f"{path}, comment {n}"
        tid = _json_int(c.get("tid", c.get("statement_id")), where=where)
        if tid in texts:
            raise ValueError(f"{path}: duplicate statement id {tid}")
        texts[tid] = c.get("txt", "")
        if c.get("is_meta"):
            meta.add(tid)
        if c.get("is_meta") or _json_int(c.get("mod", c.get("moderated", 0)), where=where) == -1:
            mod_out.add(tid)
    return texts, mod_out, meta


def read_fixture(folder: Path | str) -> Conversation:
    """Read a red-dwarf fixture folder (``votes.json``, ``comments.json``)."""
    folder = Path(folder)
    path = folder / "votes.json"
    events = _json_list_of_objects(path)
    if not events:
        raise ValueError(f"{path}: expected a non-empty list of votes")
    texts, mod_out, meta = {}, set(), set()
    if (folder / "comments.json").exists():
        texts, mod_out, meta = _fixture_comments(folder / "comments.json")
    pids, tids, votes = [], [], []
    for n, e in enumerate(events):
        where = f"{path}, vote {n}"
        pid, tid = e.get("participant_id", e.get("pid")), e.get("statement_id", e.get("tid"))
        if pid is None or tid is None:
            raise ValueError(f"{where}: a vote without participant or statement id")
        pids.append(_json_int(pid, where=f"{where}, participant id"))
        tids.append(_json_int(tid, where=f"{where}, statement id"))
        vote = e.get("vote")
        if isinstance(vote, bool) or vote not in (-1, 0, 1):
            raise ValueError(f"{where}: unknown vote value {vote!r} (expected 1, -1 or 0)")
        votes.append(int(vote))
    stamps = _event_times([e.get("modified") for e in events],
                          where=lambda i: f"{path}, vote {i}")
    matrix = build_vote_matrix(pids=np.array(pids, dtype=np.int64),
                               tids=np.array(tids, dtype=np.int64),
                               votes=-np.array(votes, dtype=np.int64),
                               timestamps=stamps,
                               mod_out_tids=mod_out, meta_tids=meta)
    return Conversation(matrix=matrix, texts=texts)


def write_opendata(folder: Path | str, matrix: VoteMatrix, *, texts=None,
                   group_of: np.ndarray | None = None) -> None:
    """Write the openData CSV set: ``votes.csv``, ``comments.csv``, ``participants-votes.csv``.

    Votes are the final matrix (one event per cell, timestamp 0), export sign. ``group_of``
    (per row, −1 = none) fills ``group-id``. Reading the folder back gives the same matrix.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    raw = matrix.raw
    rows = np.repeat(np.arange(raw.shape[0]), np.diff(raw.indptr))
    with open(folder / "votes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for r, c, v in zip(rows, raw.indices, raw.data, strict=True):
            w.writerow([0, "", int(matrix.tids[c]), int(matrix.pids[r]), -int(v)])
    dense = raw.toarray()
    voted = np.zeros(raw.shape, dtype=bool)
    voted[rows, raw.indices] = True
    texts = texts or {}
    with open(folder / "comments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                    "moderated", "is-meta", "comment-body"])
        for j, tid in enumerate(matrix.tids):
            w.writerow([0, "", int(tid), "", int((dense[:, j] < 0).sum()),
                        int((dense[:, j] > 0).sum()), -1 if matrix.mod_out[j] else 1,
                        int(matrix.meta[j]), texts.get(int(tid), "")])
    with open(folder / "participants-votes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree",
                    "n-disagree", *map(str, matrix.tids.tolist())])
        for i, pid in enumerate(matrix.pids):
            gid = "" if group_of is None or group_of[i] < 0 else int(group_of[i])
            cells = ["" if not voted[i, j] else -int(dense[i, j]) for j in range(raw.shape[1])]
            w.writerow([int(pid), gid, 0, int(voted[i].sum()), int((dense[i] < 0).sum()),
                        int((dense[i] > 0).sum()), *cells])
