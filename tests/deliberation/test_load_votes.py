"""Votes loaded from the database give exactly the engine's vote matrix."""
from __future__ import annotations

import numpy as np
import pytest

from deliberation.matrix import build_vote_matrix
from deliberation.results import matrix_from_unique_cells


def same(a, b):
    assert np.array_equal(a.pids, b.pids) and np.array_equal(a.tids, b.tids)
    assert np.array_equal(a.raw.indptr, b.raw.indptr)
    assert np.array_equal(a.raw.indices, b.raw.indices)
    assert np.array_equal(a.raw.data, b.raw.data) and a.raw.data.dtype == b.raw.data.dtype
    assert np.array_equal(a.arrival, b.arrival)
    assert np.array_equal(a.mod_out, b.mod_out) and np.array_equal(a.meta, b.meta)


@pytest.mark.parametrize("seed", range(5))
def test_unique_cells_give_the_engine_matrix(seed):
    rng = np.random.default_rng(seed)
    n_p, n_s = 60, 25
    cells = rng.choice(n_p * n_s, size=700, replace=False)
    pids = cells // n_s * (3 if seed % 2 else 1) + (10**9 if seed == 4 else 0)
    tids = cells % n_s
    votes = rng.integers(-1, 2, size=len(cells))
    args = dict(pids=pids, tids=tids, votes=votes, mod_out_tids=[1, 2], meta_tids=[3])
    same(matrix_from_unique_cells(**args), build_vote_matrix(**args))


def test_repeated_cells_fall_back_to_latest_wins():
    args = dict(pids=np.array([0, 0, 1]), tids=np.array([0, 0, 0]), votes=np.array([1, -1, 0]))
    same(matrix_from_unique_cells(**args), build_vote_matrix(**args))
