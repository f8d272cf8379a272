"""The vote matrix and the in-conv set (docs/polis-math.md §2, §3)."""
from __future__ import annotations

import numpy as np

from deliberation.matrix import build_vote_matrix, select_in_conv


def test_a_later_vote_overrides_an_earlier_one_whatever_the_event_order():
    # Participant 1 agreed (t=100), then passed (t=200), then disagreed (t=300) on #0; the
    # events arrive shuffled. Participant 2 only agreed. Internal sign: disagree = +1.
    matrix = build_vote_matrix(pids=np.array([1, 2, 1, 1]), tids=np.array([0, 0, 0, 0]),
                               votes=np.array([1, -1, -1, 0]),
                               timestamps=np.array([300, 150, 100, 200]))
    assert matrix.raw.toarray().tolist() == [[1], [-1]]


def test_without_timestamps_the_later_event_in_the_input_wins():
    matrix = build_vote_matrix(pids=np.array([1, 1]), tids=np.array([0, 0]),
                               votes=np.array([-1, 0]))
    assert matrix.raw.nnz == 1 and matrix.raw.toarray().tolist() == [[0]]


def test_arrival_is_first_vote_time_then_participant_id():
    # 30 and 10 both first vote at t=5, 20 at t=1: arrival 20, 10, 30 (rows 1, 0, 2).
    matrix = build_vote_matrix(pids=np.array([30, 10, 20, 10]), tids=np.array([0, 0, 0, 1]),
                               votes=np.array([-1, 1, 0, -1]),
                               timestamps=np.array([5, 5, 1, 9]))
    assert matrix.pids.tolist() == [10, 20, 30]
    assert matrix.arrival.tolist() == [1, 0, 2]


def test_with_fewer_than_15_qualifying_the_most_active_are_added_lower_row_first_on_ties():
    counts = np.array([7] * 10 + [5, 3, 5, 5, 5, 5, 5, 0, 2, 4])
    mask = select_in_conv(counts, n_cmts=30)
    # Ten have ≥ 7 votes; five more are needed and six rows share the top count of 5.
    assert np.flatnonzero(mask).tolist() == [*range(10), 10, 12, 13, 14, 15]


def test_top_up_counts_sticky_rows_and_stops_at_15():
    counts = np.array([7] * 12 + [1, 6, 2, 6, 0])
    sticky = np.zeros(len(counts), dtype=bool)
    sticky[16] = True  # admitted at an earlier tick with no votes now counted
    mask = select_in_conv(counts, n_cmts=30, sticky=sticky)
    assert np.flatnonzero(mask).tolist() == [*range(12), 13, 15, 16]


def test_with_few_statements_voting_on_all_of_them_qualifies():
    counts = np.array([3] * 16 + [2] * 4)
    mask = select_in_conv(counts, n_cmts=3)  # min(7, 3) = 3 votes suffice
    assert np.flatnonzero(mask).tolist() == list(range(16))


def test_with_fewer_than_15_participants_everyone_is_in():
    assert select_in_conv(np.array([0, 1, 2]), n_cmts=10).all()


def test_meta_statements_are_always_moderated_out():
    matrix = build_vote_matrix(pids=np.array([1, 1, 2]), tids=np.array([0, 1, 1]),
                               votes=np.array([-1, 1, 0]), meta_tids=[0], mod_out_tids=[])
    assert matrix.meta.tolist() == [True, False]
    assert matrix.mod_out.tolist() == [True, False]
