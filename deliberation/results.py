"""The math off the request path: load votes as numpy columns, run the pipeline
warm-started from the stored run, store the result with the vote sequence it came from.

Called by ``flask conversations recompute`` and ``flask conversations worker``; a page view
only reads :class:`ConversationResult` (docs/ARCHITECTURE.md "Scale path").
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, select, text

from core.db import db, upsert, write_transaction
from deliberation.math_json import to_math_pca2, warm_start_from_math_pca2
from deliberation.matrix import VoteMatrix, build_vote_matrix
from deliberation.models import Conversation, ConversationResult, Participant, Statement
from deliberation.pipeline import ClusteringResult, run_pipeline

log = logging.getLogger(__name__)

_VOTES_SQL = {
    # One row of two strings: no Python object per vote; numpy parses them in C. The
    # second column packs statement id and value (statement_id * 4 + value + 1).
    "sqlite": "SELECT group_concat(participant_id), group_concat(statement_id * 4 + value + 1) "
              "FROM (SELECT participant_id, statement_id, value FROM votes "
              "WHERE conversation_id = :c ORDER BY id)",
    "postgresql": "SELECT string_agg(participant_id::text, ',' ORDER BY id), "
                  "string_agg((statement_id * 4 + value + 1)::text, ',' ORDER BY id) "
                  "FROM votes WHERE conversation_id = :c",
}


@dataclass(frozen=True)
class LoadedVotes:
    matrix: VoteMatrix
    n_votes: int
    vote_seq: int


def vote_columns(conversation_id: int) -> np.ndarray:
    """(n, 3) int64: participant id, statement id, value (+1 agree), in order of each
    cell's first vote (row id), read with one SELECT."""
    dialect = db.session.get_bind().dialect.name
    sql = _VOTES_SQL["postgresql" if dialect == "postgresql" else "sqlite"]
    participants, packed = db.session.execute(text(sql), {"c": conversation_id}).one()
    if not participants:
        return np.zeros((0, 3), dtype=np.int64)
    out = np.empty((participants.count(",") + 1, 3), dtype=np.int64)
    out[:, 0] = np.fromstring(participants, dtype=np.int64, sep=",")
    packed = np.fromstring(packed, dtype=np.int64, sep=",")
    out[:, 1] = packed >> 2
    out[:, 2] = (packed & 3) - 1
    return out


def _numbers(model, conversation_id: int) -> tuple[np.ndarray, np.ndarray]:
    rows = db.session.execute(select(model.id, model.number).where(
        model.conversation_id == conversation_id).order_by(model.id))
    # fromiter over plain ints: numpy.array() on Row objects inspects each one (seconds).
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64)
    return flat[0::2], flat[1::2]


def load_votes(conversation_id: int) -> LoadedVotes | None:
    """The conversation's vote matrix in Polis ids (participant and statement numbers),
    internal sign; None without votes. Rejected statements are mod-out, meta ones meta."""
    vote_seq = db.session.scalar(select(Conversation.vote_seq).where(
        Conversation.id == conversation_id))
    columns = vote_columns(conversation_id)
    if len(columns) == 0:
        return None
    p_ids, p_numbers = _numbers(Participant, conversation_id)
    s_ids, s_numbers = _numbers(Statement, conversation_id)
    flags = db.session.execute(select(Statement.number, Statement.moderation, Statement.is_meta)
                               .where(Statement.conversation_id == conversation_id)).all()
    matrix = matrix_from_unique_cells(
        pids=p_numbers[np.searchsorted(p_ids, columns[:, 0])],
        tids=s_numbers[np.searchsorted(s_ids, columns[:, 1])],
        votes=-columns[:, 2],
        mod_out_tids=[n for n, moderation, _meta in flags if moderation < 0],
        meta_tids=[n for n, _moderation, meta in flags if meta])
    return LoadedVotes(matrix=matrix, n_votes=len(columns), vote_seq=vote_seq or 0)


def _positions(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ids and each entry's index among them; O(n) for compact ids."""
    if len(ids) and ids.min() >= 0 and ids.max() < 4 * len(ids) + 1024:
        present = np.zeros(int(ids.max()) + 1, dtype=bool)
        present[ids] = True
        return np.flatnonzero(present), (np.cumsum(present) - 1)[ids]
    uniq, inverse = np.unique(ids, return_inverse=True)
    return uniq, inverse.ravel()


def matrix_from_unique_cells(*, pids, tids, votes, mod_out_tids=(), meta_tids=()
                             ) -> VoteMatrix:
    """The same :class:`VoteMatrix` as ``build_vote_matrix`` without timestamps, for events
    that are already one per (participant, statement) cell (a UNIQUE constraint in the
    database), in order of arrival: no "latest wins" sort of millions of events is needed.
    Falls back to ``build_vote_matrix`` if a cell repeats."""
    uniq_pids, rows = _positions(pids)
    uniq_tids, cols = _positions(tids)
    shape = (len(uniq_pids), len(uniq_tids))
    raw = sp.csr_array((votes.astype(np.int8), (rows, cols)), shape=shape)
    if raw.nnz != len(votes):  # duplicates were summed: not unique cells after all
        return build_vote_matrix(pids=pids, tids=tids, votes=votes,
                                 mod_out_tids=mod_out_tids, meta_tids=meta_tids)
    raw.sort_indices()
    raw.indices = raw.indices.astype(np.int64)
    raw.indptr = raw.indptr.astype(np.int64)
    first = np.full(shape[0], len(votes), dtype=np.int64)
    np.minimum.at(first, rows, np.arange(len(votes), dtype=np.int64))
    meta = np.isin(uniq_tids, np.asarray(list(meta_tids), dtype=np.int64))
    mod_out = np.isin(uniq_tids, np.asarray(list(mod_out_tids), dtype=np.int64)) | meta
    return VoteMatrix(pids=uniq_pids, tids=uniq_tids, raw=raw, mod_out=mod_out, meta=meta,
                      arrival=np.argsort(first, kind="stable"))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON: {type(value)}")


def points(result: ClusteringResult) -> dict:
    """The opinion map: in-conv participants (Polis ids) at their PCA position, by group."""
    rows = np.flatnonzero(result.in_conv)
    return {"pids": result.matrix.pids[rows].tolist(),
            "x": np.round(result.projection[rows, 0], 4).tolist(),
            "y": np.round(result.projection[rows, 1], 4).tolist(),
            "group": result.group_of[rows].tolist()}


def umap_points(result: ClusteringResult) -> dict | None:
    """The UMAP alternative view (slow: only the worker computes it); None when too small."""
    from deliberation.umap_map import LABEL, umap_map

    try:
        view = umap_map(result, seed=42)
    except (ValueError, ImportError) as exc:
        log.info("no UMAP view: %s", exc)
        return None
    return {"pids": view.pids.tolist(), "x": np.round(view.xy[:, 0], 4).tolist(),
            "y": np.round(view.xy[:, 1], 4).tolist(), "group": view.group_of.tolist(),
            "label": LABEL}


# Seconds spent in each step of the last recompute in this process (bench and logs).
LAST_TIMINGS: dict[str, float] = {}


def recompute(conversation_id: int, *, now: datetime, with_umap: bool = False
              ) -> ClusteringResult | None:
    """Run the math for one conversation and store it; None when it has no votes yet."""
    started = time.perf_counter()
    LAST_TIMINGS.clear()
    db.session.commit()  # a fresh snapshot
    loaded = load_votes(conversation_id)
    if loaded is None:
        return None
    stored = db.session.get(ConversationResult, conversation_id)
    previous = None
    if stored is not None and stored.math:
        try:
            previous = warm_start_from_math_pca2(stored.math)
        except ValueError:
            log.warning("conversation %s: stored math unusable, starting cold", conversation_id)
    db.session.commit()  # no read transaction held while the math runs
    LAST_TIMINGS["load"] = time.perf_counter() - started
    result = run_pipeline(loaded.matrix, previous=previous)
    LAST_TIMINGS["pipeline"] = time.perf_counter() - started - LAST_TIMINGS["load"]
    math = json.loads(json.dumps(to_math_pca2(result), default=_plain))
    values = {
        "vote_seq": loaded.vote_seq, "n_votes": loaded.n_votes, "computed_at": now,
        "seconds": 0.0, "priorities": math["comment-priorities"], "math": math,
        "points": points(result),
        "umap": umap_points(result) if with_umap else None,
    }
    values["seconds"] = round(time.perf_counter() - started, 3)
    with write_transaction():
        stmt = upsert(ConversationResult).values(conversation_id=conversation_id, **values)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["conversation_id"],
            set_={k: getattr(stmt.excluded, k) for k in values}))
    LAST_TIMINGS["total"] = time.perf_counter() - started
    log.info("conversation %s recomputed: %s", conversation_id,
             {k: round(v, 3) for k, v in LAST_TIMINGS.items()})
    return result


def stale_conversations() -> list[int]:
    """Conversations with votes or moderation newer than their stored result."""
    query = (select(Conversation.id)
             .outerjoin(ConversationResult,
                        ConversationResult.conversation_id == Conversation.id)
             .where(Conversation.vote_seq > func.coalesce(ConversationResult.vote_seq, -1),
                    Conversation.vote_seq > 0)
             .order_by(Conversation.id))
    return list(db.session.scalars(query))
