"""Cells and columns of Polis openData CSV files, shared by the readers of each file.

Whole numbers and timestamps checked cell by cell (the row-by-row path, whose messages name the
line), and pyarrow tables and columns turned into numpy (the vectorised path; pyarrow is
imported only when a CSV file is read). See :mod:`deliberation.polis_io`.
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

csv.field_size_limit(10_000_000)

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


def _vote(value: str, *, where: str) -> int:
    v = _int(value, where=where)
    if v not in (-1, 0, 1):
        raise ValueError(f"{where}: unknown vote value {value!r} (expected 1, -1 or 0)")
    return -v  # export sign → internal sign
