"""Live stability: a run warm-started from the previous one keeps axes, base clusters and
group ids — groups do not relabel or flicker when one more vote arrives (§5, §6, §14)."""
from __future__ import annotations

import json

import numpy as np

from deliberation.__main__ import main
from deliberation.math_json import to_math_pca2
from deliberation.matrix import build_vote_matrix
from deliberation.pipeline import run_pipeline
from deliberation.polis_io import write_opendata
from deliberation.synthetic import planted_conversation


def _conversation(n_votes: int = 12_000):
    conv = planted_conversation(n_participants=500, n_statements=50, n_votes=n_votes,
                                n_groups=3, seed=11)
    return conv


def _matrix(conv, upto: int | None = None, extra=()):
    pids, tids, votes = conv.pids[:upto], conv.tids[:upto], conv.votes[:upto]
    stamps = conv.timestamps[:upto]
    if extra:
        pid, tid, vote = extra
        pids, tids = np.r_[pids, pid], np.r_[tids, tid]
        votes, stamps = np.r_[votes, vote], np.r_[stamps, stamps[-1] + 1]
    return build_vote_matrix(pids=pids, tids=tids, votes=votes, timestamps=stamps)


def test_one_more_vote_keeps_group_labels_and_moves_at_most_a_boundary_participant():
    # One vote shifts the PCA axes a little, so every projection moves a little; a participant
    # sitting on a group boundary may cross it. What must not happen is relabelling or groups
    # reshuffling, which a cold restart of k-means does (measured here for contrast).
    conv = _conversation()
    before = run_pipeline(_matrix(conv))
    warm_moves = cold_moves = 0
    for n, voter in enumerate(before.matrix.pids[before.in_conv][:70:7]):
        matrix = _matrix(conv, extra=(int(voter), n % 5, -1))
        after = run_pipeline(matrix, previous=before)
        assert np.array_equal(after.group_ids, before.group_ids)
        assert set(after.base.ids) == set(before.base.ids)
        others = before.matrix.pids != voter
        warm_moves += int((after.group_of[others] != before.group_of[others]).sum())
        cold = run_pipeline(matrix)
        cold_moves += int((cold.group_of[others] != before.group_of[others]).sum())
    assert warm_moves <= 2  # over 10 runs × ~400 clustered participants
    assert warm_moves < cold_moves


def test_axes_keep_their_direction_as_votes_arrive():
    conv = _conversation()
    previous = None
    for upto in (6_000, 8_000, 10_000, 12_000):
        result = run_pipeline(_matrix(conv, upto), previous=previous)
        if previous is not None:
            old = previous.pca.comps[:, np.isin(previous.matrix.tids, result.matrix.tids)]
            new = result.pca.comps[:, np.isin(result.matrix.tids, previous.matrix.tids)]
            assert (np.einsum("kj,kj->k", old, new) > 0).all()
        previous = result


def test_in_conv_only_grows_even_when_the_vote_rule_would_drop_someone():
    few = build_vote_matrix(pids=np.repeat(np.arange(16), 2), tids=np.tile([0, 1], 16),
                            votes=np.tile([-1, 1], 16))
    first = run_pipeline(few)  # two statements: everyone has min(7, 2) = 2 votes
    more = build_vote_matrix(
        pids=np.r_[few.pids.repeat(2), np.repeat(np.arange(16, 40), 8)],
        tids=np.r_[np.tile([0, 1], 16), np.tile(np.arange(8), 24)],
        votes=np.r_[np.tile([-1, 1], 16), np.tile([-1, 1, 0, 1, -1, -1, 1, 0], 24)])
    cold = run_pipeline(more)
    warm = run_pipeline(more, previous=first)
    assert cold.in_conv[:16].sum() == 0
    assert warm.in_conv[:16].all()


def test_warm_started_runs_are_deterministic():
    conv = _conversation()
    before = run_pipeline(_matrix(conv, 10_000))
    a = run_pipeline(_matrix(conv), previous=before)
    b = run_pipeline(_matrix(conv), previous=before)
    assert np.array_equal(a.group_of, b.group_of)
    assert np.array_equal(a.projection, b.projection)


def _planted(n_groups: int):
    conv = planted_conversation(n_participants=300, n_statements=30, n_votes=6_000,
                                n_groups=n_groups, seed=3)
    return build_vote_matrix(pids=conv.pids, tids=conv.tids, votes=conv.votes,
                             timestamps=conv.timestamps)


def test_the_group_count_changes_only_after_the_new_best_k_wins_four_runs():
    # Served with 2 groups; then the votes change so that 3 groups score best (a cold run
    # on them serves 3). Warm runs keep 2 groups for three runs and switch on the fourth.
    two, three = _planted(2), _planted(3)
    assert run_pipeline(three).k == 3
    result = run_pipeline(two)
    assert result.k == 2
    served = []
    for _ in range(4):
        result = run_pipeline(three, previous=result)
        served.append(result.k)
    assert served == [2, 2, 2, 3]


def test_cli_previous_carries_the_k_smoother_in_its_own_json(tmp_path, capsys):
    write_opendata(tmp_path / "three", _planted(3))
    previous = tmp_path / "math.json"
    previous.write_text(json.dumps(to_math_pca2(run_pipeline(_planted(2)))))
    served = []
    for _ in range(4):
        assert main(["cluster", str(tmp_path / "three"), "--previous", str(previous),
                     "--json"]) == 0
        out = capsys.readouterr().out
        previous.write_text(out)
        served.append(len(json.loads(out)["group-clusters"]))
    assert served == [2, 2, 2, 3]
    assert json.loads(previous.read_text())["group-k-smoother"] == {
        "last-k": 3, "last-k-count": 4, "smoothed-k": 3}
