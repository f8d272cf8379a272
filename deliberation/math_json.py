"""A :class:`ClusteringResult` as Polis's ``math-pca2.json`` (docs/polis-math.md §13).

Same keys and the internal sign (agree = −1) as the real Polis output; ids are the input's
own participant and statement ids. Subgroups and timestamps are not produced. One key is
ours: ``group-k-smoother`` (Polis keeps that state in memory only, §6), so that a run
warm-started from our own JSON carries the smoother on.
"""
from __future__ import annotations

import numpy as np

from deliberation.clusters import KSmoother
from deliberation.pipeline import ClusteringResult, WarmStart


def _floats(a) -> list:
    return np.asarray(a, dtype=np.float64).ravel().tolist()


def _ints(a) -> list:
    return np.asarray(a, dtype=np.int64).ravel().tolist()


def to_math_pca2(result: ClusteringResult) -> dict:
    """The result as a JSON-ready dict with the keys of ``math-pca2.json``."""
    m = result.matrix
    tids = _ints(m.tids)
    base = result.base
    gv = result.group_votes
    groups = result.groups
    group_clusters = []
    for g, gid in enumerate(groups.ids):
        members = _ints(base.ids[np.asarray(groups.labels) == g])
        group_clusters.append({"id": int(gid), "members": members,
                               "center": _floats(groups.centres[g])})
    in_rows = np.flatnonzero(result.in_conv)
    # Per base cluster, per tid A/D/S on the raw matrix (§13 votes-base).
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.raw.indptr))
    in_base = result.base_of[rows] >= 0
    id_order = np.argsort(base.ids)
    b_idx = id_order[np.searchsorted(base.ids[id_order], result.base_of[rows[in_base]])]
    cols = m.raw.indices[in_base]
    vals = m.raw.data[in_base]
    shape = (len(tids), len(base.ids))
    cell = cols.astype(np.int64) * shape[1] + b_idx
    size = shape[0] * shape[1]
    counts = {key: np.bincount(cell[sel], minlength=size).reshape(shape).tolist()
              for key, sel in (("A", vals < 0), ("D", vals > 0), ("S", slice(None)))}
    votes_base = {str(t): {k: counts[k][j] for k in "ADS"} for j, t in enumerate(tids)}
    return {
        "n": int(m.shape[0]),
        "n-cmts": int(m.shape[1]),
        "tids": tids,
        "in-conv": _ints(m.pids[in_rows]),
        "user-vote-counts": dict(zip(map(str, _ints(m.pids)), _ints(result.user_vote_counts),
                                     strict=True)),
        "pca": {
            "center": _floats(result.pca.center),
            "comps": [_floats(c) for c in result.pca.comps],
            "comment-projection": [_floats(c) for c in result.comment_projection],
            "comment-extremity": _floats(result.comment_extremity),
        },
        "base-clusters": {
            "id": _ints(base.ids),
            "members": [_ints(mem) for mem in result.base_members],
            "x": _floats(base.centres[:, 0]),
            "y": _floats(base.centres[:, 1]),
            "count": [int(len(mem)) for mem in result.base_members],
        },
        "group-clusters": group_clusters,
        "repness": {str(g): recs for g, recs in result.repness.items()},
        "consensus": result.consensus,
        "group-aware-consensus": dict(zip(map(str, tids), _floats(result.group_aware_consensus),
                                          strict=True)),
        "comment-priorities": dict(zip(map(str, tids), _floats(result.comment_priorities),
                                       strict=True)),
        "group-votes": {
            str(int(gid)): {
                "id": int(gid),
                "n-members": int(gv.n_members[g]),
                "votes": {str(t): {"A": a, "D": d, "S": n} for t, a, d, n in zip(
                    tids, _ints(gv.agree[g]), _ints(gv.disagree[g]), _ints(gv.seen[g]),
                    strict=True)},
            }
            for g, gid in enumerate(result.group_ids)
        },
        "votes-base": votes_base,
        "mod-out": _ints(m.tids[m.mod_out]),
        "meta-tids": _ints(m.tids[m.meta]),
        "group-k-smoother": {"last-k": result.k_smoother.last_best_k,
                             "last-k-count": result.k_smoother.streak,
                             "smoothed-k": result.k_smoother.smoothed_k},
    }


def _k_smoother(math: dict) -> KSmoother | None:
    state = math.get("group-k-smoother")
    if state is None:
        return None
    return KSmoother(last_best_k=int(state["last-k"]), streak=int(state["last-k-count"]),
                     smoothed_k=int(state["smoothed-k"]))


def warm_start_from_math_pca2(math: dict) -> WarmStart:
    """A :class:`WarmStart` from a stored ``math-pca2.json`` (ours or Polis's).

    Only the served k's grouping is in the JSON, so other k start cold. The k-smoother is
    carried on from our own ``group-k-smoother`` key; Polis's JSON has no such state (it
    lives in the worker's memory), so from Polis's JSON the smoother starts fresh.
    Raises ``ValueError`` when a required key is missing or malformed.
    """
    try:
        bc = math["base-clusters"]
        base_ids = np.asarray(bc["id"], dtype=np.int64)
        if len(bc["members"]) != len(base_ids):
            raise ValueError("base-clusters: one member list per id expected")
        groups = math["group-clusters"]
        group = (np.asarray([g["id"] for g in groups], dtype=np.int64),
                 [np.asarray(g["members"], dtype=np.int64) for g in groups])
        return WarmStart(
            tids=np.asarray(math["tids"], dtype=np.int64),
            comps=np.asarray(math["pca"]["comps"], dtype=np.float64).reshape(-1, len(math["tids"])),
            in_conv=np.asarray(math["in-conv"], dtype=np.int64),
            base_ids=base_ids,
            base_members=[np.asarray(m, dtype=np.int64) for m in bc["members"]],
            groups={len(groups): group} if len(groups) >= 2 else {},
            k_smoother=_k_smoother(math),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"not a math-pca2 result: missing or malformed {err}") from None
