"""Base clusters and opinion groups (docs/polis-math.md §5, §6).

Our own vectorised k-means with Polis's deterministic initialisation (first k distinct
points) and warm start (recentre previous clusters, drop empty, merge equal, split off the
most distal point). Everything here is deterministic: ties go to the lower cluster index.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASE_K = 100
BASE_ITERS = 100
GROUP_ITERS = 20  # Polis passes :cluster-iters, which kmeans ignores; its default is 20 (§6)
MAX_GROUPS = 5
MOVE_THRESHOLD = 0.01
K_BUFFER = 4


@dataclass(frozen=True)
class Clustering:
    """Points assigned to clusters.

    ``labels[i]`` is the cluster *index* of point i; ``ids[c]`` the stable id of cluster c;
    ``centres`` (n_clusters, 2); ``weights`` (n_clusters,) summed point weights.
    """

    labels: np.ndarray
    ids: np.ndarray
    centres: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class KSmoother:
    """Group-count smoother carried between runs (§6): best k of the last run and its streak."""

    last_best_k: int
    streak: int
    smoothed_k: int


def _first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]]


def _distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    # Explicit differences (not the |a|²-2ab+|b|² expansion) so that exact ties stay ties
    # and argmin picks the lowest index, identically on every machine.
    dist = np.subtract.outer(points[:, 0], centres[:, 0])
    np.multiply(dist, dist, out=dist)
    dy = np.subtract.outer(points[:, 1], centres[:, 1])
    np.multiply(dy, dy, out=dy)
    dist += dy  # in place: the same sums as dx*dx + dy*dy, fewer temporaries
    return dist


def _nearest_two(points: np.ndarray, centres: np.ndarray):
    """(label, distance to it, distance to the second nearest) for every point."""
    dist = _distances(points, centres)
    labels = np.argmin(dist, axis=1)
    rows = np.arange(len(points))
    nearest = np.sqrt(dist[rows, labels])
    if centres.shape[0] < 2:
        return labels, nearest, np.full(len(points), np.inf)
    dist[rows, labels] = np.inf  # the second smallest (a tie of the nearest included)
    second = np.sqrt(dist.min(axis=1))
    return labels, nearest, second


def _own_distance(points: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Distance of each point to its own centre, computed as :func:`_distances` does."""
    dx = points[:, 0] - own[:, 0]
    dist = dx * dx
    dy = points[:, 1] - own[:, 1]
    dist += dy * dy
    return np.sqrt(dist)


def _moved_elsewhere(moved: np.ndarray, labels: np.ndarray) -> np.ndarray | float:
    """For each point, the largest move of a centre other than its own (what its distance to
    the nearest other centre can have shrunk by)."""
    if len(moved) < 2:
        return 0.0
    top = int(np.argmax(moved))
    second = float(np.max(np.delete(moved, top)))
    return np.where(labels == top, second, float(moved[top]))


def _weighted_means(points, weights, labels, n_clusters):
    total = np.bincount(labels, weights=weights, minlength=n_clusters)
    sx = np.bincount(labels, weights=weights * points[:, 0], minlength=n_clusters)
    sy = np.bincount(labels, weights=weights * points[:, 1], minlength=n_clusters)
    with np.errstate(invalid="ignore", divide="ignore"):
        centres = np.column_stack([sx / total, sy / total])
    return centres, total


def kmeans(
    points: np.ndarray,
    *,
    weights: np.ndarray,
    init_centres: np.ndarray,
    init_ids: np.ndarray,
    max_iters: int,
) -> Clustering:
    """Weighted Lloyd iterations from given centres (Polis ``kmeans``, §5).

    Empty clusters are dropped; iteration stops when every centre moved less than 0.01.
    ``_private``-style contract: inputs are assumed valid (finite, non-empty).
    """
    centres = np.asarray(init_centres, dtype=np.float64)
    ids = np.asarray(init_ids)
    # Lloyd's algorithm with Hamerly's distance bounds: a point whose upper bound to its
    # own centre stays below its lower bound to every other centre cannot change cluster,
    # so only the few uncertain points are re-measured. Same assignments as plain Lloyd
    # (the margin keeps near-ties on the exact path).
    labels, upper, lower = _nearest_two(points, centres)
    for _ in range(max_iters):
        new_centres, total = _weighted_means(points, weights, labels, len(centres))
        keep = total > 0
        moved = np.sqrt(((new_centres - centres) ** 2).sum(axis=1))
        converged = keep.all() and bool(np.all(moved < MOVE_THRESHOLD))
        if not keep.all():  # dropping a centre only raises second-nearest distances
            labels = (np.cumsum(keep) - 1)[labels]
            moved = moved[keep]
        centres, ids = new_centres[keep], ids[keep]
        upper = upper + moved[labels]
        lower = lower - _moved_elsewhere(moved, labels)
        unsure = np.flatnonzero(upper + 1e-9 >= lower)
        if len(unsure):  # first the exact distance to the own centre (Hamerly's second test)
            upper[unsure] = _own_distance(points[unsure], centres[labels[unsure]])
            unsure = unsure[upper[unsure] + 1e-9 >= lower[unsure]]
        if len(unsure):
            labels[unsure], upper[unsure], lower[unsure] = _nearest_two(points[unsure], centres)
        if converged:
            break
    centres, total = _weighted_means(points, weights, labels, len(centres))
    keep = total > 0
    remap = np.cumsum(keep) - 1
    return Clustering(labels=remap[labels], ids=ids[keep], centres=centres[keep],
                      weights=total[keep])


def warm_start_centres(
    points: np.ndarray,
    point_ids: np.ndarray,
    *,
    previous_ids: np.ndarray,
    previous_members: list[np.ndarray],
    k: int,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Polis ``clean-start-clusters`` (§5): initial centres and ids from a previous clustering.

    Each previous cluster is recentred on the current positions (weighted mean) of its
    members that still exist (dropped if none), clusters with identical centres are
    merged (first id kept), then while there are fewer than min(k, #distinct points)
    clusters the point farthest from its nearest centre becomes a new cluster (fresh id).
    """
    position = {pid: i for i, pid in enumerate(point_ids.tolist())}
    centres, ids = [], []
    for cid, members in zip(previous_ids.tolist(), previous_members, strict=True):
        rows = [position[m] for m in np.asarray(members).tolist() if m in position]
        if rows:
            w = None if weights is None else weights[rows]
            centre = tuple(np.average(points[rows], axis=0, weights=w))
            if centre not in centres:
                centres.append(centre)
                ids.append(cid)
    target = min(k, len(np.unique(points, axis=0)))
    centres_arr = np.array(centres, dtype=np.float64).reshape(-1, 2)
    next_id = (max(previous_ids.tolist()) + 1) if len(previous_ids) else 0
    while len(centres_arr) < target:
        if len(centres_arr) == 0:
            far = 0
        else:
            d = np.sqrt(((points[:, None, :] - centres_arr[None]) ** 2).sum(-1)).min(axis=1)
            far = int(np.argmax(d))
        centres_arr = np.vstack([centres_arr, points[far]])
        ids.append(next_id)
        next_id += 1
    return centres_arr[:k], np.array(ids[:k], dtype=np.int64)


def base_clusters(
    points: np.ndarray, *, point_ids: np.ndarray, previous: tuple | None = None, k: int = BASE_K
) -> Clustering:
    """k = 100 unweighted k-means over in-conv projections (§5).

    ``previous`` = ``(ids, members)`` of the last run's base clusters (members as point ids)
    for a warm start; otherwise the first k distinct points in row order are the centres.
    """
    if previous is not None:
        centres, ids = warm_start_centres(points, point_ids, previous_ids=previous[0],
                                          previous_members=previous[1], k=k)
    else:
        centres = _first_distinct(points, k)
        ids = np.arange(len(centres))
    return kmeans(points, weights=np.ones(len(points)), init_centres=centres, init_ids=ids,
                  max_iters=BASE_ITERS)


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette over points, unweighted; members of singleton clusters score 0 (§6)."""
    n_clusters = labels.max() + 1
    if n_clusters < 2:
        return 0.0
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    onehot = np.zeros((len(points), n_clusters))
    onehot[np.arange(len(points)), labels] = 1.0
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot  # (n, n_clusters): total distance to each cluster
    own = sizes[labels]
    a = np.where(own > 1, sums[np.arange(len(points)), labels] / np.maximum(own - 1, 1), 0.0)
    others = np.where(onehot.astype(bool), np.inf, sums / np.maximum(sizes, 1))
    b = others.min(axis=1)
    denom = np.maximum(a, b)
    s = np.where((own > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1), 0.0)
    return float(s.mean())


def max_group_count(n_base: int) -> int:
    """K = min(5, 2 + ⌊n_base / 12⌋) (§6)."""
    return min(MAX_GROUPS, 2 + n_base // 12)


def group_clusterings(
    base: Clustering, *, previous: dict | None = None
) -> dict[int, Clustering]:
    """Weighted k-means on base-cluster centres for k = 2..K (§6).

    ``previous`` maps k → ``(group ids, members as base-cluster ids)`` for warm starts.
    Values of k larger than the number of distinct base centres are skipped; with fewer
    than two distinct centres the result is one group of everyone (k = 1).
    """
    centres = base.centres
    n_distinct = len(np.unique(centres, axis=0))
    out: dict[int, Clustering] = {}
    for k in range(2, max_group_count(len(centres)) + 1):
        if k > n_distinct:
            break
        if previous and k in previous:
            init, ids = warm_start_centres(centres, base.ids, previous_ids=previous[k][0],
                                           previous_members=previous[k][1], k=k,
                                           weights=base.weights)
        else:
            init = _first_distinct(centres, k)
            ids = np.arange(k)
        out[k] = kmeans(centres, weights=base.weights, init_centres=init, init_ids=ids,
                        max_iters=GROUP_ITERS)
    if not out:
        out[1] = Clustering(labels=np.zeros(len(centres), dtype=np.int64),
                            ids=np.array([0]), centres=centres.mean(axis=0, keepdims=True),
                            weights=np.array([base.weights.sum()]))
    return out


def choose_k(
    base: Clustering, clusterings: dict[int, Clustering], *, smoother: KSmoother | None = None
) -> tuple[int, KSmoother, dict[int, float]]:
    """Silhouette choice of k (ties → larger k, like ``max-key``) and the k-smoother (§6).

    The smoothed k switches to a new best k only after it has won ``K_BUFFER`` runs in a
    row; a smoothed k that is no longer available falls back to this run's best.
    """
    scores = {k: silhouette(base.centres, c.labels) for k, c in clusterings.items()}
    best = max(sorted(scores), key=lambda k: (scores[k], k))
    if smoother is None:
        new = KSmoother(last_best_k=best, streak=1, smoothed_k=best)
    else:
        streak = smoother.streak + 1 if best == smoother.last_best_k else 1
        smoothed = best if streak >= K_BUFFER else smoother.smoothed_k
        if smoothed not in clusterings:
            smoothed = best
        new = KSmoother(last_best_k=best, streak=streak, smoothed_k=smoothed)
    return new.smoothed_k, new, scores
