"""Base clusters, groups, silhouette and the k-smoother (docs/polis-math.md §5, §6)."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score

from deliberation.clusters import (
    Clustering,
    KSmoother,
    base_clusters,
    choose_k,
    group_clusterings,
    kmeans,
    max_group_count,
    silhouette,
    warm_start_centres,
)
from deliberation.matrix import build_vote_matrix
from deliberation.pipeline import run_pipeline
from deliberation.synthetic import planted_conversation


def _plain_lloyd(points, weights, centres, max_iters):
    """Textbook weighted Lloyd (drop empty clusters, stop when every centre moves < 0.01)."""
    centres = centres.copy()
    for _ in range(max_iters):
        labels = np.argmin(((points[:, None] - centres[None]) ** 2).sum(-1), axis=1)
        new = np.array([np.average(points[labels == c], axis=0, weights=weights[labels == c])
                        for c in range(len(centres)) if (labels == c).any()])
        done = len(new) == len(centres) and np.all(np.linalg.norm(new - centres, axis=1) < 0.01)
        centres = new
        if done:
            break
    labels = np.argmin(((points[:, None] - centres[None]) ** 2).sum(-1), axis=1)
    final = np.array([np.average(points[labels == c], axis=0, weights=weights[labels == c])
                      for c in np.unique(labels)])
    return labels, final


@pytest.mark.parametrize("seed", range(5))
def test_bounded_kmeans_gives_exactly_the_plain_lloyd_answer(seed):
    rng = np.random.default_rng(seed)
    points = np.vstack([rng.normal(c, 1.0, (400, 2)) for c in ((0, 0), (4, 1), (1, 5))])
    weights = rng.integers(1, 4, len(points)).astype(float)
    init = points[:30]
    ours = kmeans(points, weights=weights, init_centres=init, init_ids=np.arange(30),
                  max_iters=100)
    labels, centres = _plain_lloyd(points, weights, init, 100)
    assert np.array_equal(ours.labels, labels)
    assert np.allclose(ours.centres, centres, atol=1e-12)


def test_silhouette_matches_scikit_learn():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(60, 2))
    labels = rng.integers(0, 4, 60)
    labels[0] = 4  # a singleton cluster scores 0 in both definitions
    assert silhouette(points, labels) == pytest.approx(silhouette_score(points, labels), abs=1e-12)


def test_up_to_100_distinct_points_each_is_its_own_base_cluster():
    rng = np.random.default_rng(0)
    distinct = rng.normal(size=(80, 2))
    points = np.vstack([distinct, distinct[:10]])  # 10 participants share a position
    base = base_clusters(points, point_ids=np.arange(90))
    assert len(base.ids) == 80
    assert np.array_equal(base.labels[80:], base.labels[:10])


@pytest.mark.parametrize(("n_base", "k_max"), [(11, 2), (12, 3), (23, 3), (24, 4), (36, 5),
                                               (100, 5)])
def test_number_of_groups_tried_grows_with_base_clusters(n_base, k_max):
    assert max_group_count(n_base) == k_max


def test_a_new_best_k_must_win_four_runs_in_a_row_before_it_is_used():
    rng = np.random.default_rng(1)
    base = base_clusters(rng.normal(size=(200, 2)), point_ids=np.arange(200))
    clusterings = group_clusterings(base)
    _, first, scores = choose_k(base, clusterings)
    best = first.smoothed_k
    other = next(k for k in clusterings if k != best)
    state = KSmoother(last_best_k=other, streak=5, smoothed_k=other)
    seen = []
    for _ in range(4):
        k, state, _ = choose_k(base, clusterings, smoother=state)
        seen.append(k)
    assert seen == [other, other, other, best]


def test_equal_silhouettes_pick_the_larger_k():
    # Three base clusters at one position: every silhouette is 0, for k = 2 and k = 3.
    centres = np.zeros((3, 2))
    base = Clustering(labels=np.arange(3), ids=np.arange(3), centres=centres,
                      weights=np.ones(3))
    clusterings = {k: Clustering(labels=np.minimum(np.arange(3), k - 1), ids=np.arange(k),
                                 centres=np.zeros((k, 2)), weights=np.ones(k))
                   for k in (2, 3)}
    k, _, scores = choose_k(base, clusterings)
    assert scores == {2: 0.0, 3: 0.0}
    assert k == 3


def test_warm_start_merges_clusters_that_now_share_a_centre():
    # Participants 1 and 2 were in clusters 7 and 8 and now sit at the same position.
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    centres, ids = warm_start_centres(points, np.array([1, 2, 3, 4]),
                                      previous_ids=np.array([7, 8]),
                                      previous_members=[np.array([1]), np.array([2])], k=2)
    assert ids.tolist() == [7, 9]  # 8 merged into 7; one fresh cluster fills up to k
    assert centres.tolist() == [[0.0, 0.0], [10.0, 0.0]]


def test_warm_start_splits_off_the_most_distal_point_until_k_clusters():
    # One previous cluster (id 7) of participants 1, 2; participant 5 left. Three distinct
    # positions allow k = 3: first the point farthest from every centre (10, 0), then the
    # farthest from both remaining centres (1, 0).
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    centres, ids = warm_start_centres(points, np.array([1, 2, 3, 4]),
                                      previous_ids=np.array([7]),
                                      previous_members=[np.array([1, 2, 5])], k=5)
    assert ids.tolist() == [7, 8, 9]
    assert centres.tolist() == [[0.0, 0.0], [10.0, 0.0], [1.0, 0.0]]


def test_planted_opinion_groups_are_recovered():
    conv = planted_conversation(n_participants=900, n_statements=60, n_votes=60_000,
                                n_groups=3, seed=5)
    matrix = build_vote_matrix(pids=conv.pids, tids=conv.tids, votes=conv.votes,
                               timestamps=conv.timestamps)
    result = run_pipeline(matrix)
    rows = result.in_conv
    assert result.k == 3
    assert adjusted_rand_score(conv.planted_group[matrix.pids[rows]], result.group_of[rows]) > 0.8
