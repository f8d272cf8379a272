"""Read and write Polis data: openData CSV exports and red-dwarf fixtures (§2, §11).

Files use the *export* sign (agree = +1); everything returned here is in the internal
sign (agree = −1). Every malformed input raises ``ValueError`` naming the file and row.
"""
from __future__ import annotations

import csv
import json
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


def _int(value: str, *, where: str) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected an integer, got {value!r}") from None


def _read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path}: empty file (no data rows)")
    return rows


def read_comments_csv(path: Path) -> tuple[dict[int, str], set[int], set[int]]:
    """``comments.csv`` → (texts by tid, mod-out tids, meta tids) (§11)."""
    texts, mod_out, meta = {}, set(), set()
    for n, row in enumerate(_read_rows(path), start=2):
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
    Polis's groups.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    texts, mod_out, meta = {}, set(), set()
    if (folder / "comments.csv").exists():
        texts, mod_out, meta = read_comments_csv(folder / "comments.csv")
    groups: dict[int, int] = {}
    wide = folder / "participants-votes.csv"
    if wide.exists():
        pids, tids, votes, groups = _read_wide(wide)
    if (folder / "votes.csv").exists():
        pids, tids, votes, stamps = _read_events(folder / "votes.csv")
    elif wide.exists():
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
    rows = _read_rows(path)
    pids, tids, votes, stamps = (np.empty(len(rows), dtype=np.int64) for _ in range(4))
    stamps = stamps.astype(np.float64)
    for i, row in enumerate(rows):
        where = f"{path}, line {i + 2}"
        pids[i] = _int(row.get("voter-id"), where=where)
        tids[i] = _int(row.get("comment-id"), where=where)
        votes[i] = _vote(row.get("vote"), where=where)
        stamps[i] = _int(row.get("timestamp") or i, where=where)
    return pids, tids, votes, stamps


def _read_wide(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise ValueError(f"{path}: empty file")
        first = next((i for i, h in enumerate(header) if h.strip().isdigit()), None)
        if first is None or "participant" not in header:
            raise ValueError(f"{path}: no participant column or no statement columns")
        col_tids = np.array([int(h) for h in header[first:]], dtype=np.int64)
        p_col, g_col = header.index("participant"), header.index("group-id") \
            if "group-id" in header else None
        pids, tids, votes, groups, seen = [], [], [], {}, set()
        for n, row in enumerate(reader, start=2):
            where = f"{path}, line {n}"
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


def read_fixture(folder: Path | str) -> Conversation:
    """Read a red-dwarf fixture folder (``votes.json``, ``comments.json``)."""
    folder = Path(folder)
    try:
        events = json.loads((folder / "votes.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{folder / 'votes.json'}: cannot read ({err})") from None
    if not isinstance(events, list) or not events:
        raise ValueError(f"{folder / 'votes.json'}: expected a non-empty list of votes")
    texts, mod_out, meta = {}, set(), set()
    if (folder / "comments.json").exists():
        for c in json.loads((folder / "comments.json").read_text(encoding="utf-8")):
            tid = c.get("tid", c.get("statement_id"))
            if tid in texts:
                raise ValueError(f"{folder / 'comments.json'}: duplicate statement id {tid}")
            texts[tid] = c.get("txt", "")
            if c.get("is_meta"):
                meta.add(tid)
            if c.get("is_meta") or c.get("mod", c.get("moderated", 0)) == -1:
                mod_out.add(tid)
    try:
        pids = [e.get("participant_id", e.get("pid")) for e in events]
        tids = [e.get("statement_id", e.get("tid")) for e in events]
        stamps = [float(e.get("modified") or i) for i, e in enumerate(events)]
        votes = [e["vote"] for e in events]
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{folder / 'votes.json'}: malformed vote ({err})") from None
    if any(v is None for v in pids + tids):
        raise ValueError(f"{folder / 'votes.json'}: a vote without participant or statement id")
    bad = [v for v in votes if v not in (-1, 0, 1)]
    if bad:
        raise ValueError(f"{folder / 'votes.json'}: unknown vote value {bad[0]!r}")
    matrix = build_vote_matrix(pids=np.array(pids), tids=np.array(tids),
                               votes=-np.array(votes, dtype=np.int64),
                               timestamps=np.array(stamps), mod_out_tids=mod_out,
                               meta_tids=meta)
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
