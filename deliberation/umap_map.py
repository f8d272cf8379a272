"""An *alternative* 2-D opinion map with UMAP (umap-learn), seeded (docs/polis-math.md §16).

This is only another picture of the same people: the groups shown on it stay the Polis
groups of :func:`deliberation.pipeline.run_pipeline`. umap-learn is imported lazily because
importing it and its first numba compilation take tens of seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from deliberation.pca import centred
from deliberation.pipeline import ClusteringResult

LABEL = "Alternative view (UMAP): distances are only locally meaningful; groups are Polis's"


@dataclass(frozen=True)
class UmapMap:
    """``xy`` (n_in_conv, 2) for ``pids``; ``group_of`` the Polis group of each point."""

    pids: np.ndarray
    xy: np.ndarray
    group_of: np.ndarray
    label: str = LABEL


def umap_map(
    result: ClusteringResult, *, seed: int, n_neighbors: int = 15, min_dist: float = 0.1
) -> UmapMap:
    """Embed the in-conv participants' centred votes in 2-D with UMAP.

    Rows are the centred vote rows (missing = column mean, as for PCA, §4) scaled like the
    sparsity-aware projection, so sparse voters are not all pulled to the middle.
    ``seed`` fixes UMAP's randomness (UMAP then runs single-threaded and is reproducible).

    Raises
    ------
    ValueError with fewer than 3 in-conv participants.
    """
    rows = np.flatnonzero(result.in_conv)
    if len(rows) < 3:
        raise ValueError("a UMAP map needs at least 3 clustered participants")
    import umap  # lazy: heavy import + numba JIT

    votes = result.matrix.rating_votes()
    x = centred(votes, result.pca.center)[rows]
    n_cmts = result.matrix.shape[1]
    scale = np.sqrt(n_cmts / np.maximum(result.matrix.rating_vote_counts()[rows], 1))
    # umap-learn's sparse path only understands the older csr_matrix class.
    x = sp.csr_matrix(x.multiply(scale[:, None]))
    reducer = umap.UMAP(n_components=2, n_neighbors=min(n_neighbors, len(rows) - 1),
                        min_dist=min_dist, random_state=seed, init="random", n_jobs=1)
    xy = reducer.fit_transform(x)
    return UmapMap(pids=result.matrix.pids[rows], xy=np.asarray(xy, dtype=np.float64),
                   group_of=result.group_of[rows])
