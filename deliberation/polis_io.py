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

This module holds the entry points (:func:`read_opendata`, :func:`read_fixture`,
:func:`write_opendata`); the files are read by :mod:`deliberation.opendata_votes`
(``votes.csv``, ``comments.csv``) and :mod:`deliberation.opendata_wide`
(``participants-votes.csv``) from the cells and columns of :mod:`deliberation.opendata_cells`;
red-dwarf fixtures' JSON by :mod:`deliberation.polis_fixture`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deliberation.matrix import VoteMatrix, build_vote_matrix
from deliberation.opendata_cells import _event_times
from deliberation.opendata_votes import _read_events, read_comments_csv
from deliberation.opendata_wide import _read_groups, _read_wide
from deliberation.polis_fixture import _fixture_comments, _json_int, _json_list_of_objects

__all__ = ["Conversation", "read_comments_csv", "read_fixture", "read_opendata",
           "write_comments_csv", "write_opendata"]


@dataclass(frozen=True)
class Conversation:
    """A loaded conversation: the matrix, statement texts, and Polis's own groups if exported."""

    matrix: VoteMatrix
    texts: dict[int, str] = field(default_factory=dict)
    polis_group_of: dict[int, int] = field(default_factory=dict)


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


def write_comments_csv(path: Path, rows: dict, texts: dict) -> None:
    """``comments.csv``: one row per comment id, ``rows[tid] = (agrees, disagrees,
    moderated, is_meta)``, in comment-id order as Polis lists them."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                    "moderated", "is-meta", "comment-body"])
        for tid in sorted(rows):
            agrees, disagrees, moderated, is_meta = rows[tid]
            w.writerow([0, "", tid, "", agrees, disagrees, moderated, int(is_meta),
                        texts.get(tid, "")])


def write_opendata(folder: Path | str, matrix: VoteMatrix, *, texts=None,
                   group_of: np.ndarray | None = None, unvoted: dict | None = None) -> None:
    """Write the openData CSV set: ``votes.csv``, ``comments.csv``, ``participants-votes.csv``.

    Votes are the final matrix (one event per cell, timestamp 0), export sign. ``group_of``
    (per row, −1 = none) fills ``group-id``. ``unvoted`` maps comment ids nobody voted on to
    ``(moderated, is_meta)``: Polis lists every comment in ``comments.csv``, with zero counts.
    Reading the folder back gives the same matrix.
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
    counted = {int(tid): (int((dense[:, j] < 0).sum()), int((dense[:, j] > 0).sum()),
                          -1 if matrix.mod_out[j] else 1, bool(matrix.meta[j]))
               for j, tid in enumerate(matrix.tids)}
    unvoted = {tid: (0, 0, *flags) for tid, flags in (unvoted or {}).items()
               if tid not in counted}
    write_comments_csv(folder / "comments.csv", {**counted, **unvoted}, texts)
    with open(folder / "participants-votes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree",
                    "n-disagree", *map(str, matrix.tids.tolist())])
        for i, pid in enumerate(matrix.pids):
            gid = "" if group_of is None or group_of[i] < 0 else int(group_of[i])
            cells = ["" if not voted[i, j] else -int(dense[i, j]) for j in range(raw.shape[1])]
            w.writerow([int(pid), gid, 0, int(voted[i].sum()), int((dense[i] < 0).sum()),
                        int((dense[i] > 0).sum()), *cells])
