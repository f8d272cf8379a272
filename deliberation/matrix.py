"""The vote matrix and the in-conv selection (docs/polis-math.md §2, §3).

Votes are held in Polis's *internal* sign: agree = -1, disagree = +1, pass = 0.
The matrix is sparse (CSR): a stored entry means "voted", and a pass is an explicitly
stored 0, so ``voted`` is the sparsity pattern and never ``data != 0``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

AGREE, PASS, DISAGREE = -1, 0, 1
VALID_VOTES = (AGREE, PASS, DISAGREE)
IN_CONV_MIN_VOTES = 7
IN_CONV_TOP_UP = 15


@dataclass(frozen=True)
class VoteMatrix:
    """Participants × statements, last vote wins (§2).

    Attributes
    ----------
    pids, tids : int64 arrays of row and column ids, both sorted ascending.
    raw : ``scipy.sparse.csr_array`` (n_pids × n_tids, int8), internal sign; stored = voted.
    mod_out : bool array (n_tids,), columns moderated out (``mod = -1`` or meta).
    meta : bool array (n_tids,), meta statements.
    arrival : int array (n_pids,), row indices in order of each participant's first vote.
        Polis appends rows as participants arrive, and k-means starts from the first
        distinct points in that order (§5), so clustering walks rows in this order.
    """

    pids: np.ndarray
    tids: np.ndarray
    raw: sp.csr_array
    mod_out: np.ndarray
    meta: np.ndarray
    arrival: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.raw.shape

    def user_vote_counts(self) -> np.ndarray:
        """Non-nil cells per row of the raw matrix, passes and mod-out votes included (§3)."""
        return np.diff(self.raw.indptr).astype(np.int64)

    def rating_votes(self) -> sp.csr_array:
        """The raw matrix without the mod-out columns (float64, internal sign).

        ``rating-mat`` zeroes mod-out columns for every row (§2); those cells are centred to 0
        and have zero loadings, so dropping them changes nothing except the per-row vote
        count, which :func:`rating_vote_counts` adds back.
        """
        raw = self.raw
        keep = ~self.mod_out[raw.indices]
        rows = np.repeat(np.arange(raw.shape[0]), np.diff(raw.indptr))[keep]
        out = sp.csr_array(
            (raw.data[keep].astype(np.float64), (rows, raw.indices[keep])), shape=raw.shape
        )
        out.sort_indices()
        return out

    def rating_vote_counts(self) -> np.ndarray:
        """Cells per row of ``rating-mat`` that are non-nil: own votes plus every mod-out column."""
        raw = self.raw
        on_mod_out = self.mod_out[raw.indices]
        rows = np.repeat(np.arange(raw.shape[0]), np.diff(raw.indptr))
        own_active = np.bincount(rows[~on_mod_out], minlength=raw.shape[0])
        return own_active + int(self.mod_out.sum())


def build_vote_matrix(
    *,
    pids: np.ndarray,
    tids: np.ndarray,
    votes: np.ndarray,
    timestamps: np.ndarray | None = None,
    mod_out_tids=(),
    meta_tids=(),
) -> VoteMatrix:
    """Build the vote matrix from vote events, latest vote wins (§2).

    Parameters
    ----------
    pids, tids, votes : 1-D integer arrays of equal length, one entry per vote event;
        ``votes`` in internal sign (agree = -1, disagree = +1, pass = 0).
    timestamps : optional 1-D array; events are applied in timestamp order, ties broken
        by (participant, statement) and, for simultaneous conflicting votes on one cell,
        so that pass wins over disagree over agree. Participants arrive (``arrival``) in
        order of their first vote's time, ties by participant id. So with timestamps the
        result never depends on the order of the input, only on times and on the
        relative order of ids. Without timestamps, events are applied and participants
        arrive in input order: that order is then the only record of time (Polis lists
        ``participants-votes.csv`` rows in its arrival order, §5).
    mod_out_tids, meta_tids : statement ids moderated out / marked meta. Meta statements
        are always moderated out (§11). Ids that received no vote are ignored.

    Returns
    -------
    VoteMatrix with rows = distinct pids ascending, columns = voted tids ascending.

    Raises
    ------
    ValueError on empty input, unequal lengths, or vote values outside {-1, 0, 1}.
    """
    pids = np.asarray(pids)
    tids = np.asarray(tids)
    votes = np.asarray(votes)
    if not (pids.ndim == tids.ndim == votes.ndim == 1):
        raise ValueError("pids, tids and votes must be 1-D arrays")
    if not (len(pids) == len(tids) == len(votes)):
        raise ValueError("pids, tids and votes must have the same length")
    if len(votes) == 0:
        raise ValueError("no votes: a conversation needs at least one vote to be clustered")
    for name, arr in (("participant id", pids), ("statement id", tids), ("vote", votes)):
        _check_whole_numbers(arr, name)
    bad = ~np.isin(votes, VALID_VOTES)
    if bad.any():
        raise ValueError(
            f"unknown vote value {votes[bad][0].item()!r}: votes must be -1, 0 or 1 "
            f"({int(bad.sum())} bad events)"
        )
    pids = pids.astype(np.int64)
    tids = tids.astype(np.int64)
    votes = votes.astype(np.int8)
    uniq_pids, rows = _factorize(pids)
    uniq_tids, cols = _factorize(tids)
    n_rows, n_cols = len(uniq_pids), len(uniq_tids)
    cell = rows * n_cols + cols
    if timestamps is not None:
        timestamps = np.asarray(timestamps, dtype=np.float64)
        if timestamps.shape != votes.shape:
            raise ValueError("timestamps must have one entry per vote")
        if not np.all(np.isfinite(timestamps)):
            raise ValueError("timestamps must be finite numbers")
        if np.any(timestamps[1:] < timestamps[:-1]) or _has_ties(timestamps):
            # Ties never fall back to input order: by cell, then (same cell, same time,
            # conflicting votes) a pass is applied last, then disagree, then agree.
            tie_rank = np.where(votes == PASS, 3, votes + 1)
            order = np.lexsort((tie_rank, cell, timestamps))
            cell, votes = cell[order], votes[order]
    # Last vote wins: a stable sort by cell keeps application order inside each cell.
    by_cell = np.argsort(cell, kind="stable")
    sorted_cell = cell[by_cell]
    is_last = np.ones(len(cell), dtype=bool)
    is_last[:-1] = sorted_cell[1:] != sorted_cell[:-1]
    kept = sorted_cell[is_last]
    kept_rows = kept // n_cols
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(kept_rows, minlength=n_rows), out=indptr[1:])
    raw = sp.csr_array((votes[by_cell[is_last]], kept % n_cols, indptr),
                       shape=(n_rows, n_cols))
    # Arrival order: rank of each row's first event in application order.
    event_rows = sorted_cell // n_cols
    starts = np.flatnonzero(np.r_[True, event_rows[1:] != event_rows[:-1]])
    first_vote = np.minimum.reduceat(by_cell, starts)
    arrival = np.argsort(first_vote, kind="stable")
    meta = np.isin(uniq_tids, np.asarray(list(meta_tids), dtype=np.int64))
    mod_out = np.isin(uniq_tids, np.asarray(list(mod_out_tids), dtype=np.int64)) | meta
    return VoteMatrix(pids=uniq_pids, tids=uniq_tids, raw=raw, mod_out=mod_out, meta=meta,
                      arrival=arrival)


def _check_whole_numbers(arr: np.ndarray, name: str) -> None:
    """Refuse what ``astype(int64)`` would garble: text, fractions, inf/nan, > int64."""
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"every {name} must be an integer (got {arr.dtype} values)")
    if np.issubdtype(arr.dtype, np.integer):
        return
    if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise ValueError(f"every {name} must be an integer")
    if np.any(np.abs(arr) >= 2.0**63):
        raise ValueError(f"every {name} must fit in 64 bits")


def _factorize(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ids and each entry's position among them (O(n) for compact ids)."""
    lo, hi = int(ids.min()), int(ids.max())
    if lo >= 0 and hi < 4 * len(ids) + 1024:
        present = np.zeros(hi + 1, dtype=bool)
        present[ids] = True
        position = np.cumsum(present) - 1
        return np.flatnonzero(present), position[ids]
    uniq, inverse = np.unique(ids, return_inverse=True)
    return uniq, inverse.ravel()


def _has_ties(timestamps: np.ndarray) -> bool:
    return bool(np.any(timestamps[1:] == timestamps[:-1]))


def select_in_conv(
    user_vote_counts: np.ndarray, *, n_cmts: int, sticky: np.ndarray | None = None
) -> np.ndarray:
    """Rows that are clustered: the in-conv set (§3).

    Parameters
    ----------
    user_vote_counts : (n_rows,) votes per row, passes and mod-out votes included.
    n_cmts : number of columns.
    sticky : optional bool mask (n_rows,) of rows already in-conv at an earlier tick;
        they stay in whatever their count.

    Returns
    -------
    bool mask (n_rows,): count ≥ min(7, n_cmts), plus sticky rows, topped up with the
    rows with the most votes (ties: lower row, i.e. lower participant id, first) until
    there are 15 (or all rows).
    """
    counts = np.asarray(user_vote_counts)
    mask = counts >= min(IN_CONV_MIN_VOTES, n_cmts)
    if sticky is not None:
        mask = mask | np.asarray(sticky, dtype=bool)
    missing = min(IN_CONV_TOP_UP, len(counts)) - int(mask.sum())
    if missing > 0:
        candidates = np.flatnonzero(~mask)
        by_votes = candidates[np.argsort(-counts[candidates], kind="stable")]
        mask[by_votes[:missing]] = True
    return mask
