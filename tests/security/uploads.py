"""Hostile upload files for the bad-input catalogue, built in memory (no fixtures on disk)."""
from __future__ import annotations

import io
import zipfile

VOTES_HEADER = "timestamp,datetime,comment-id,voter-id,vote\n"


def zip_of(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A 20 MB member of zeros deflated to ~20 kB: a ratio no real CSV has."""
    return zip_of({"votes.csv": VOTES_HEADER.encode() + b"0" * 20_000_000})


def many_members(count: int = 5000) -> bytes:
    return zip_of({f"f{n}.csv": b"" for n in range(count)}, compression=zipfile.ZIP_STORED)


def traversal(name: str) -> bytes:
    return zip_of({"votes.csv": VOTES_HEADER.encode(), name: b"owned"})


def nested() -> bytes:
    return zip_of({"a/b/c/votes.csv": VOTES_HEADER.encode() + b"1,x,0,0,1\n"})


def garbage_votes() -> bytes:
    return zip_of({"votes.csv": b"\xff\xfe not,a,csv\x00\n" * 10,
                   "comments.csv": b"comment-id,comment-body\n0,\x00\n"})


def no_votes() -> bytes:
    return zip_of({"summary.csv": b"topic,x\n"})
