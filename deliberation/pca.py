"""PCA, participant and comment projection (docs/polis-math.md §4, §15).

Instead of Polis's power iteration we take the exact top eigenvectors of the Gram matrix
XᵀX of the centred matrix X. Missing cells centre to exactly 0, so X has the sparsity of
the votes and XᵀX costs O(Σ_rows votes²) — no dense n_ptpts × n_cmts copy is ever made.
Axes get a fixed sign so they never flip between runs (§14).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp

N_COMPS = 2


@dataclass(frozen=True)
class PCA:
    """``center`` (n_cmts,), ``comps`` (2, n_cmts), internal sign; rows of zeros past the rank."""

    center: np.ndarray
    comps: np.ndarray


def column_means(votes: sp.csr_array) -> np.ndarray:
    """Mean of each column over its voted cells, passes included; 0 for unvoted columns (§4)."""
    n_cols = votes.shape[1]
    sums = np.bincount(votes.indices, weights=votes.data, minlength=n_cols)
    counts = np.bincount(votes.indices, minlength=n_cols)
    return np.divide(sums, counts, out=np.zeros(n_cols), where=counts > 0)


def centred(votes: sp.csr_array, center: np.ndarray) -> sp.csr_array:
    """X: voted cells minus their column mean, unvoted cells 0 (same sparsity as ``votes``)."""
    x = votes.copy()
    x.data = votes.data - center[votes.indices]
    return x


def fit_pca(
    votes: sp.csr_array, *, previous_comps: np.ndarray | None = None
) -> PCA:
    """Centre and top-2 principal axes of the imputed rating matrix (§4).

    Parameters
    ----------
    votes : CSR (n_rows, n_cmts) float, internal sign, stored = voted, mod-out columns
        already removed (they are constant 0 and get zero loadings).
    previous_comps : optional (2, n_cmts) axes of the previous run, aligned to the same
        columns. When given, each axis takes the sign that agrees with it; otherwise the
        entry of largest magnitude is made positive (ties: first such entry).

    Returns
    -------
    PCA with ``comps`` of shape (2, n_cmts). Edge cases follow Polis ``wrapped-pca``: one
    row → that row normalised; one column → [1]. Components beyond min(rows, cols) or of
    zero variance are rows of zeros.
    """
    n_rows, n_cols = votes.shape
    center = column_means(votes)
    comps = np.zeros((N_COMPS, n_cols))
    x = centred(votes, center)
    if n_cols == 1:
        comps[0, 0] = 1.0
    elif n_rows == 1:
        row = votes.toarray()[0]
        norm = np.linalg.norm(row)
        if norm > 0:
            comps[0] = row / norm
    else:
        # Constant columns (mod-out, unanimous) get exactly zero loadings: leave them out.
        compact, active = _active_columns(x)
        gram = gram_matrix(compact)
        n_take = min(N_COMPS, n_rows, len(active))
        if n_take > 0:
            values, vectors = scipy.linalg.eigh(
                gram, subset_by_index=(len(active) - n_take, len(active) - 1), driver="evr"
            )
            order = np.argsort(-values, kind="stable")
            scale = max(values.max(initial=0.0), 1.0)
            for k, idx in enumerate(order):
                if values[idx] > 1e-12 * scale:
                    comps[k, active] = vectors[:, idx]
    return PCA(center=center, comps=_fix_signs(comps, previous_comps))


def _active_columns(x: sp.csr_array) -> tuple[sp.csr_array, np.ndarray]:
    """X restricted (and re-indexed) to its columns with a non-zero entry."""
    nonzero = x.data != 0
    active = np.unique(x.indices[nonzero])
    position = np.full(x.shape[1], -1, dtype=np.int64)
    position[active] = np.arange(len(active))
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    per_row = np.bincount(rows[nonzero], minlength=x.shape[0])
    indptr = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    compact = sp.csr_array((x.data[nonzero], position[x.indices[nonzero]], indptr),
                           shape=(x.shape[0], len(active)))
    return compact, active


def gram_matrix(x: sp.csr_array, *, chunk_rows: int = 4096) -> np.ndarray:
    """XᵀX as a dense (n_cmts × n_cmts) array, by the cheaper of two exact routes.

    Sparse product: cost ~ Σ_rows votes². Dense BLAS on row chunks of ``chunk_rows``
    (bounded memory): cost ~ n_rows · n_cmts², but ~100× cheaper per operation (measured
    on this machine), so it wins once participants vote on more than ~1/10 of statements.
    """
    n_rows, n_cols = x.shape
    per_row = np.diff(x.indptr).astype(np.float64)
    if n_rows * n_cols * n_cols > 100.0 * float(per_row @ per_row):
        return (x.T @ x).toarray()
    gram = np.zeros((n_cols, n_cols))
    for start in range(0, n_rows, chunk_rows):
        block = x[start:start + chunk_rows].toarray()
        gram += block.T @ block
    return gram


def _fix_signs(comps: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    comps = comps.copy()
    for k in range(comps.shape[0]):
        axis = comps[k]
        if not axis.any():
            continue
        if previous is not None and previous.shape == comps.shape:
            overlap = float(axis @ previous[k])
            if overlap != 0.0:
                if overlap < 0:
                    comps[k] = -axis
                continue
        # Round before picking the pivot so 1-ulp noise cannot move it between machines.
        pivot = int(np.argmax(np.round(np.abs(axis), 12)))
        if axis[pivot] < 0:
            comps[k] = -axis
    return comps


def project_participants(
    votes: sp.csr_array, pca: PCA, *, n_cmts: int, n_votes: np.ndarray
) -> np.ndarray:
    """Sparsity-aware projection of every row (§4), shape (n_rows, 2).

    ``n_votes`` is each row's count of non-nil ``rating-mat`` cells (mod-out columns count
    as voted); ``n_cmts`` counts every column, mod-out included.
    """
    x = centred(votes, pca.center)
    raw_xy = x @ pca.comps.T
    scale = np.sqrt(n_cmts / np.maximum(n_votes, 1))
    return raw_xy * scale[:, None]


def project_comments(pca: PCA, *, n_cmts: int) -> tuple[np.ndarray, np.ndarray]:
    """Each comment as a virtual participant who agreed (−1) with it only (§4).

    Returns ``(projection (2, n_cmts), extremity (n_cmts,))``.
    """
    projection = np.sqrt(n_cmts) * (-1.0 - pca.center)[None, :] * pca.comps
    return projection, np.linalg.norm(projection, axis=0)


def embed_columns(comps: np.ndarray, old_tids: np.ndarray, new_tids: np.ndarray) -> np.ndarray:
    """Previous axes re-indexed to ``new_tids`` (0 where a column is new), for sign alignment."""
    out = np.zeros((comps.shape[0], len(new_tids)))
    pos = np.searchsorted(old_tids, new_tids)
    pos = np.clip(pos, 0, max(len(old_tids) - 1, 0))
    found = (len(old_tids) > 0) & (old_tids[pos] == new_tids) if len(old_tids) else None
    if found is not None:
        out[:, found] = comps[:, pos[found]]
    return out
