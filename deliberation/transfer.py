"""Polis openData in and out of the database: import a folder or zip as a closed
conversation, export one as the openData zip (summary, comments, votes, participants-votes).

The CSV reading and writing are deliberation.polis_io's (public functions only).
Uploads are untrusted: zip members are checked for path traversal, count and size before
anything is read, so a zip bomb or ``../`` name is a clear error and nothing is created.
"""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import datetime
from itertools import repeat
from pathlib import Path, PurePosixPath

import numpy as np
from sqlalchemy import insert, select

from core import audit
from core.db import db, write_transaction
from core.process import Audience, Commitment
from deliberation import polis_io
from deliberation.models import (
    Conversation,
    ConversationPhase,
    ConversationResult,
    Participant,
    Statement,
    Vote,
)
from deliberation.results import load_votes

OPENDATA_FILES = ("summary.csv", "comments.csv", "votes.csv", "participants-votes.csv",
                  "stats-history.csv")
MAX_UNZIPPED = 300 * 1024 * 1024
MAX_RATIO = 200  # a bigger compression ratio than any CSV we know: a bomb


class BadExport(ValueError):
    """The files are not a usable Polis openData export (message says why)."""


def _safe_extract(archive: Path, into: Path) -> Path:
    """Extract only the known openData files of a zip (optionally in one folder)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadExport(f"not a zip file ({exc})") from None
    with zf:
        members = zf.infolist()
        if len(members) > 50:
            raise BadExport("too many files in the zip (an openData export has at most 5)")
        total = 0
        chosen = {}
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or info.filename.startswith("/"):
                raise BadExport(f"unsafe path in zip: {info.filename!r}")
            if info.is_dir():
                continue
            total += info.file_size
            if total > MAX_UNZIPPED or (info.compress_size and
                                        info.file_size / info.compress_size > MAX_RATIO):
                raise BadExport("the zip unpacks to too much data")
            if name.name in OPENDATA_FILES and len(name.parts) <= 2:
                chosen[name.name] = info
        if "votes.csv" not in chosen and "participants-votes.csv" not in chosen:
            raise BadExport("the zip has neither votes.csv nor participants-votes.csv")
        for filename, info in chosen.items():
            with zf.open(info) as src, open(into / filename, "wb") as dst:
                remaining = MAX_UNZIPPED
                while chunk := src.read(1 << 20):
                    remaining -= len(chunk)
                    if remaining < 0:
                        raise BadExport("the zip unpacks to too much data")
                    dst.write(chunk)
    return into


def _summary(folder: Path) -> dict[str, str]:
    path = folder / "summary.csv"
    if not path.exists():
        return {}
    try:
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        return {row[0]: row[1] for row in rows if len(row) >= 2}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadExport(f"summary.csv: {exc}") from None


def read_export(path: Path | str):
    """(polis_io.Conversation, texts, mod-out tids, meta tids, summary) from a folder or zip."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="polis-import-") as tmp:
        folder = _safe_extract(path, Path(tmp)) if path.is_file() else path
        if not folder.is_dir():
            raise BadExport(f"{path}: no such folder or zip file")
        try:
            conv = polis_io.read_opendata(folder)
            texts, mod_out, meta = dict(conv.texts), set(), set()
            if (folder / "comments.csv").exists():
                texts, mod_out, meta = polis_io.read_comments_csv(folder / "comments.csv")
        except ValueError as exc:  # name the file, not our temporary folder
            raise BadExport(str(exc).replace(f"{folder}/", "")) from None
        return conv, texts, mod_out, meta, _summary(folder)


def import_export(path: Path | str, *, actor=None, now: datetime,
                  title: str | None = None) -> Conversation:
    """A closed conversation holding an openData export's statements, participants and
    final votes (see :func:`import_matrix`)."""
    conv, texts, mod_out, meta, summary = read_export(path)
    return import_matrix(conv.matrix, texts=texts, mod_out=mod_out, meta=meta, actor=actor,
                         now=now, title=(title or summary.get("topic") or Path(path).stem),
                         description=summary.get("conversation-description", ""))


def import_matrix(m, *, texts: dict[int, str], mod_out=(), meta=(), actor=None,
                  now: datetime, title: str, description: str = "") -> Conversation:
    """A closed conversation from a vote matrix (Polis ids, internal sign), in one
    transaction. Participants are stored in their order of arrival and their votes row by
    row, so the vote row ids give the math the same arrival order (polis-math.md §5)."""
    mod_out, meta = set(mod_out), set(meta)
    tids = sorted(set(texts) | set(m.tids.tolist()))
    with write_transaction():
        conversation = Conversation(
            title=title[:200], description=description,
            phase=ConversationPhase.CLOSED, commitment=Commitment.ADVISORY,
            audience=Audience.PUBLIC, owner_id=getattr(actor, "id", None), created_at=now,
            statement_max_length=max([140, *(len(t) for t in texts.values())]),
            vote_seq=int(m.raw.nnz))
        db.session.add(conversation)
        db.session.flush()
        db.session.execute(insert(Statement), [
            {"conversation_id": conversation.id, "number": tid, "text": texts.get(tid, ""),
             "moderation": -1 if tid in mod_out and tid not in meta else 1,
             "is_meta": tid in meta, "moderation_reason": "", "created_at": now}
            for tid in tids])
        order = m.arrival
        db.session.execute(insert(Participant), [
            {"conversation_id": conversation.id, "number": int(m.pids[row]), "created_at": now}
            for row in order])
        statement_id = dict(db.session.execute(select(Statement.number, Statement.id).where(
            Statement.conversation_id == conversation.id)).all())
        participant_id = dict(db.session.execute(select(Participant.number, Participant.id)
                                                 .where(Participant.conversation_id
                                                        == conversation.id)).all())
        _insert_votes(conversation.id, m, order, statement_id, participant_id, now)
        audit.record(actor, "conversation.import", "conversation", conversation.id, now=now,
                     votes=int(m.raw.nnz))
    return conversation


def _insert_votes(conversation_id, m, order, statement_id, participant_id, now) -> None:
    raw = m.raw
    col_ids = np.asarray([statement_id[int(t)] for t in m.tids], dtype=np.int64)
    row_ids = np.asarray([participant_id[int(p)] for p in m.pids], dtype=np.int64)
    # Rows in order of arrival, each row's cells together.
    starts, ends = raw.indptr[order], raw.indptr[order + 1]
    lengths = ends - starts
    cells = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)]) \
        if len(order) else np.zeros(0, dtype=np.int64)
    pids = np.repeat(row_ids[order], lengths)
    sids = col_ids[raw.indices[cells]]
    values = -raw.data[cells].astype(np.int64)
    # executemany with plain tuples on the DBAPI cursor: millions of rows, no dict per row.
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO votes (conversation_id, participant_id, statement_id, value, "
           f"modified_at) VALUES ({mark}, {mark}, {mark}, {mark}, {mark})")
    bind = Vote.__table__.c.modified_at.type.bind_processor(connection.dialect)
    stamp = bind(now) if bind else now  # as SQLAlchemy would store it
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        for lo in range(0, len(cells), 100_000):
            hi = lo + 100_000
            cursor.executemany(sql, zip(repeat(conversation_id), pids[lo:hi].tolist(),
                                        sids[lo:hi].tolist(), values[lo:hi].tolist(),
                                        repeat(stamp)))
    finally:
        cursor.close()


def export_zip(conversation: Conversation) -> bytes:
    """The openData zip of a conversation, with the stored run's group ids."""
    loaded = load_votes(conversation.id)
    texts = {s.number: s.text for s in conversation.statements}
    points = db.session.scalar(select(ConversationResult.points).where(
        ConversationResult.conversation_id == conversation.id)) or {}
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="polis-export-") as tmp, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        folder = Path(tmp)
        n_participants = 0
        # Polis lists every comment, voted on or not (moderated: -1 out, 0 new, 1 in).
        flags = {s.number: (s.moderation, s.is_meta) for s in conversation.statements}
        if loaded is not None:
            m = loaded.matrix
            group = dict(zip(points.get("pids", []), points.get("group", []), strict=True))
            group_of = np.asarray([group.get(int(p), -1) for p in m.pids], dtype=np.int64)
            polis_io.write_opendata(folder, m, texts=texts, group_of=group_of, unvoted=flags)
            n_participants = m.shape[0]
        else:
            polis_io.write_comments_csv(folder / "comments.csv",
                                        {tid: (0, 0, *f) for tid, f in flags.items()}, texts)
        summary = [("topic", conversation.title), ("url", ""),
                   ("voters", n_participants), ("voters-in-conv", len(points.get("pids", []))),
                   ("comments", len(texts)),
                   ("groups", len(set(points.get("group", [])) - {-1})),
                   ("conversation-description", conversation.description)]
        out = io.StringIO()
        csv.writer(out).writerows(summary)
        zf.writestr("summary.csv", out.getvalue())
        for name in ("comments.csv", "votes.csv", "participants-votes.csv"):
            if (folder / name).exists():
                zf.write(folder / name, name)
    return buffer.getvalue()
