"""The Polis math as a sequence of named pure steps returning one frozen result (§1–§10).

>>> from deliberation.matrix import build_vote_matrix
>>> import numpy as np
>>> vm = build_vote_matrix(pids=np.repeat(np.arange(20), 8), tids=np.tile(np.arange(8), 20),
...                        votes=np.where(np.arange(160) % 3 == 0, -1, 1))
>>> result = run_pipeline(vm)
>>> sorted(map(int, np.unique(result.group_of[result.in_conv])))
[0, 1]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from deliberation.clusters import (
    Clustering,
    KSmoother,
    base_clusters,
    choose_k,
    group_clusterings,
)
from deliberation.matrix import VoteMatrix, select_in_conv
from deliberation.pca import PCA, embed_columns, fit_pca, project_comments, project_participants
from deliberation.repness import (
    comment_priorities,
    consensus_statements,
    group_aware_consensus,
    membership_matrix,
    representative_statements,
    vote_counts,
)


@dataclass(frozen=True)
class GroupVotes:
    """Counts over each group's in-conv members on the raw matrix, (n_groups, n_cmts)."""

    agree: np.ndarray
    disagree: np.ndarray
    seen: np.ndarray
    n_members: np.ndarray


@dataclass(frozen=True)
class WarmStart:
    """State carried from one run to the next (§5, §6, §14 "live stability").

    ``tids``/``comps``: previous PCA axes (sign alignment); ``in_conv``: sticky pids;
    ``base_ids``/``base_members``: base clusters (members as pids); ``groups``: k →
    (group ids, members as base-cluster ids); ``k_smoother``: None on a first run.
    """

    tids: np.ndarray
    comps: np.ndarray
    in_conv: np.ndarray
    base_ids: np.ndarray
    base_members: list[np.ndarray]
    groups: dict[int, tuple[np.ndarray, list[np.ndarray]]]
    k_smoother: KSmoother | None = None


@dataclass(frozen=True)
class ClusteringResult:
    """Everything one run computes; rows follow ``matrix.pids``, columns ``matrix.tids``.

    ``group_of[i]`` is the group id of row i (−1 when not in-conv); ``base_of[i]`` the
    base-cluster id (−1 when not in-conv). ``repness`` maps group id → records (§7).
    """

    matrix: VoteMatrix
    user_vote_counts: np.ndarray
    in_conv: np.ndarray
    pca: PCA
    projection: np.ndarray
    comment_projection: np.ndarray
    comment_extremity: np.ndarray
    base: Clustering
    base_members: list[np.ndarray]
    base_of: np.ndarray
    clusterings: dict[int, Clustering]
    silhouettes: dict[int, float]
    k: int
    k_smoother: KSmoother
    group_ids: np.ndarray
    group_of: np.ndarray
    group_votes: GroupVotes
    repness: dict[int, list[dict]]
    consensus: dict
    group_aware_consensus: np.ndarray
    comment_priorities: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def groups(self) -> Clustering:
        return self.clusterings[self.k]

    def warm_start(self) -> WarmStart:
        """The state the next run needs to keep axes, base clusters and group ids stable."""
        groups = {}
        for k, c in self.clusterings.items():
            groups[k] = (c.ids, [self.base.ids[c.labels == i] for i in range(len(c.ids))])
        return WarmStart(tids=self.matrix.tids, comps=self.pca.comps,
                         in_conv=self.matrix.pids[self.in_conv], base_ids=self.base.ids,
                         base_members=self.base_members, groups=groups,
                         k_smoother=self.k_smoother)


def _sticky_mask(matrix: VoteMatrix, in_conv, previous) -> np.ndarray | None:
    sticky_pids = []
    if in_conv is not None:
        sticky_pids.append(np.asarray(list(in_conv), dtype=np.int64))
    if previous is not None:
        sticky_pids.append(np.asarray(previous.in_conv, dtype=np.int64))
    if not sticky_pids:
        return None
    return np.isin(matrix.pids, np.concatenate(sticky_pids))


def run_pipeline(
    matrix: VoteMatrix,
    *,
    in_conv=None,
    previous: ClusteringResult | WarmStart | None = None,
) -> ClusteringResult:
    """Run the whole Polis math on one vote matrix (docs/polis-math.md §2–§10).

    Parameters
    ----------
    matrix : the vote matrix (:func:`deliberation.matrix.build_vote_matrix`).
    in_conv : optional iterable of participant ids that are in-conv from earlier runs
        (sticky set, §3); unknown ids are ignored.
    previous : optional previous run (its result or a :class:`WarmStart`, e.g. read back
        from a stored ``math-pca2.json``). Warm start (§5, §6): PCA signs aligned with it,
        base clusters and per-k groups restarted from it (stable ids), its in-conv set
        kept, its k-smoother advanced.

    Returns
    -------
    ClusteringResult. Deterministic: same input, same output.
    """
    if isinstance(previous, ClusteringResult):
        previous = previous.warm_start()
    n_rows, n_cmts = matrix.shape
    notes: list[str] = []
    counts = matrix.user_vote_counts()
    in_mask = select_in_conv(counts, n_cmts=n_cmts, sticky=_sticky_mask(matrix, in_conv, previous))

    votes = matrix.rating_votes()
    prev_comps = None
    if previous is not None:
        prev_comps = embed_columns(previous.comps, previous.tids, matrix.tids)
    pca = fit_pca(votes, previous_comps=prev_comps)
    if not pca.comps.any():
        notes.append("no variance in the votes (e.g. all passes): every projection is 0")
    xy = project_participants(votes, pca, n_cmts=n_cmts, n_votes=matrix.rating_vote_counts())
    cmt_xy, extremity = project_comments(pca, n_cmts=n_cmts)

    rows = matrix.arrival[in_mask[matrix.arrival]]  # in-conv rows, in order of arrival
    prev_base = None
    if previous is not None:
        prev_base = (previous.base_ids, previous.base_members)
    base = base_clusters(xy[rows], point_ids=matrix.pids[rows], previous=prev_base)
    base_members = [matrix.pids[rows[base.labels == c]] for c in range(len(base.ids))]
    base_of = np.full(n_rows, -1, dtype=np.int64)
    base_of[rows] = base.ids[base.labels]

    clusterings = group_clusterings(
        base, previous=previous.groups if previous is not None else None
    )
    k, smoother, scores = choose_k(
        base, clusterings, smoother=previous.k_smoother if previous is not None else None
    )
    groups = clusterings[k]
    group_index = np.full(n_rows, -1, dtype=np.int64)
    group_index[rows] = groups.labels[base.labels]
    group_of = np.where(group_index >= 0, groups.ids[np.maximum(group_index, 0)], -1)

    membership = membership_matrix(group_index, len(groups.ids))
    na, nd, ns = vote_counts(matrix.raw, membership)
    group_votes = GroupVotes(agree=na, disagree=nd, seen=ns,
                             n_members=np.bincount(group_index[rows], minlength=len(groups.ids)))
    reps = representative_statements(na, nd, ns, tids=matrix.tids, mod_out=matrix.mod_out)
    everyone = membership_matrix(np.zeros(n_rows, dtype=np.int64), 1)
    all_na, all_nd, all_ns = (c[0] for c in vote_counts(matrix.raw, everyone))
    consensus = consensus_statements(all_na, all_nd, all_ns, tids=matrix.tids,
                                     mod_out=matrix.mod_out)
    return ClusteringResult(
        matrix=matrix, user_vote_counts=counts, in_conv=in_mask, pca=pca, projection=xy,
        comment_projection=cmt_xy, comment_extremity=extremity, base=base,
        base_members=base_members, base_of=base_of, clusterings=clusterings,
        silhouettes=scores, k=k, k_smoother=smoother, group_ids=groups.ids,
        group_of=group_of, group_votes=group_votes,
        repness={int(gid): reps[g] for g, gid in enumerate(groups.ids)},
        consensus=consensus, group_aware_consensus=group_aware_consensus(na, ns),
        comment_priorities=comment_priorities(na, nd, ns, extremity=extremity,
                                              meta=matrix.meta),
        notes=notes,
    )
