"""PCA and projections against the dense reference recipe of docs/polis-math.md §15."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from deliberation.matrix import build_vote_matrix
from deliberation.pca import fit_pca, gram_matrix, project_comments, project_participants


def _random_matrix(seed: int, density: float, shape=(300, 40)):
    rng = np.random.default_rng(seed)
    voted = rng.random(shape) < density
    rows, cols = np.nonzero(voted)
    return build_vote_matrix(pids=rows, tids=cols, votes=rng.choice([-1, 0, 1], len(rows)),
                             mod_out_tids=[3])


@pytest.mark.parametrize(("seed", "density"), [(0, 0.05), (1, 0.3), (2, 0.9)])
def test_axes_and_projections_equal_the_dense_svd_recipe(seed, density):
    matrix = _random_matrix(seed, density)
    n_cmts = matrix.shape[1]
    dense = np.full(matrix.shape, np.nan)
    coo = matrix.raw.tocoo()
    dense[coo.row, coo.col] = coo.data
    dense[:, matrix.mod_out] = 0.0
    mu = np.nanmean(dense, axis=0)
    x = np.where(np.isnan(dense), mu, dense) - mu
    ref = np.linalg.svd(x, full_matrices=False)[2][:2]
    voted = ~np.isnan(dense)
    ref_xy = (np.where(voted, dense - mu, 0) @ ref.T) * np.sqrt(
        n_cmts / np.maximum(voted.sum(1), 1))[:, None]

    votes = matrix.rating_votes()
    pca = fit_pca(votes)
    signs = np.sign((pca.comps * ref).sum(axis=1))
    assert np.allclose(pca.center, mu, atol=1e-12)
    assert np.allclose(pca.comps, ref * signs[:, None], atol=1e-9)
    xy = project_participants(votes, pca, n_cmts=n_cmts, n_votes=matrix.rating_vote_counts())
    assert np.allclose(xy, ref_xy * signs, atol=1e-9)
    cmt_xy, extremity = project_comments(pca, n_cmts=n_cmts)
    assert np.allclose(extremity, np.linalg.norm(
        np.sqrt(n_cmts) * (-1 - mu)[:, None] * ref.T, axis=1), atol=1e-9)


@pytest.mark.parametrize("density", [0.02, 0.5])
def test_both_gram_routes_agree(density):
    rng = np.random.default_rng(4)
    x = sp.random_array((5000, 60), density=density, rng=rng, format="csr")
    assert np.allclose(gram_matrix(x), (x.T @ x).toarray(), rtol=1e-12, atol=1e-9)
    assert np.allclose(gram_matrix(x, chunk_rows=7), (x.T @ x).toarray(), atol=1e-9)


def test_the_sign_convention_makes_the_largest_loading_positive():
    pca = fit_pca(_random_matrix(5, 0.4).rating_votes())
    for axis in pca.comps:
        assert axis[np.argmax(np.abs(axis))] > 0
