"""Property tests on small random conversations: the math is a pure function of the votes."""
from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation.math_json import to_math_pca2
from deliberation.matrix import build_vote_matrix
from deliberation.pipeline import run_pipeline


@st.composite
def conversations(draw):
    n_ptpts = draw(st.integers(1, 40))
    n_cmts = draw(st.integers(1, 12))
    n_votes = draw(st.integers(1, n_ptpts * n_cmts + 10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pids = rng.integers(0, n_ptpts, n_votes) * 3 + 100  # non-contiguous ids
    tids = rng.integers(0, n_cmts, n_votes)
    votes = rng.choice([-1, 0, 1], n_votes)
    stamps = rng.integers(0, n_votes, n_votes)  # with ties on purpose
    mod_out = [t for t in range(n_cmts) if draw(st.booleans()) and t % 3 == 0]
    return dict(pids=pids, tids=tids, votes=votes, timestamps=stamps, mod_out_tids=mod_out), rng


def _json(events: dict) -> str:
    return json.dumps(to_math_pca2(run_pipeline(build_vote_matrix(**events))), allow_nan=False)


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(conversations())
def test_same_votes_give_the_same_result(case):
    events, _ = case
    assert _json(events) == _json(events)


def _by_position(result) -> str:
    """The result with participant and statement ids replaced by their row/column index."""
    def records(recs):
        return [{**r, "tid": int(np.searchsorted(result.matrix.tids, r["tid"]))} for r in recs]
    return json.dumps({
        "arrival": result.matrix.arrival.tolist(), "raw": result.matrix.raw.toarray().tolist(),
        "in_conv": result.in_conv.tolist(), "xy": result.projection.tolist(),
        "base_of": result.base_of.tolist(), "group_of": result.group_of.tolist(),
        "silhouettes": result.silhouettes, "k": result.k,
        "repness": {g: records(recs) for g, recs in result.repness.items()},
        "consensus": {side: records(recs) for side, recs in result.consensus.items()},
        "priorities": result.comment_priorities.tolist(),
    }, allow_nan=False)


@SETTINGS
@given(conversations(), st.integers(1, 4))
def test_shuffled_events_and_renumbered_ids_give_the_same_result(case, tie_spread):
    # Order is defined by time, then participant id, then statement id (same time, same
    # cell: pass beats disagree beats agree), never by the position of an event in the
    # file. Timestamps are squeezed into few values so that many events tie, including
    # conflicting votes on one cell. Ids are renumbered keeping their order (new pid =
    # 7·pid + 5): only the relative order of ids is part of the definition.
    events, rng = case
    events["timestamps"] = events["timestamps"] // (tie_spread * 8)
    shuffle = rng.permutation(len(events["votes"]))
    renamed = {k: (v[shuffle] if isinstance(v, np.ndarray) else v) for k, v in events.items()}
    renamed["pids"] = renamed["pids"] * 7 + 5
    renamed["tids"] = renamed["tids"] * 3 + 2
    renamed["mod_out_tids"] = [t * 3 + 2 for t in events["mod_out_tids"]]
    ours = run_pipeline(build_vote_matrix(**events))
    theirs = run_pipeline(build_vote_matrix(**renamed))
    assert np.array_equal(theirs.matrix.pids, ours.matrix.pids * 7 + 5)
    assert _by_position(ours) == _by_position(theirs)


@SETTINGS
@given(conversations())
def test_moderated_out_statements_are_never_representative_or_consensus(case):
    events, _ = case
    out = to_math_pca2(run_pipeline(build_vote_matrix(**events)))
    banned = set(out["mod-out"])
    shown = {r["tid"] for recs in out["repness"].values() for r in recs}
    shown |= {r["tid"] for side in ("agree", "disagree") for r in out["consensus"][side]}
    assert not shown & banned
    # and their PCA loadings are exactly zero (§2: constant-0 columns), except that with a
    # single column Polis's wrapped-pca returns the axis [1] whatever the data (§4)
    tids = out["tids"]
    for t in (banned if len(tids) > 1 else ()):
        assert all(comp[tids.index(t)] == 0.0 for comp in out["pca"]["comps"])
