"""Identical ballots become one weighted row (pb.rules.profile_arrays), as the rules expect."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.rules import profile_arrays
from tests.pb.elections import make_election

IDS = ["p1", "p2", "p3", "p4", "p5"]


def _rows(arrays):
    """Each merged row as (project ids in stored order, weight)."""
    out, start = [], 0
    for length, weight in zip(arrays.row_length.tolist(), arrays.weights.tolist(), strict=True):
        projects = arrays.entry_project[start:start + length].tolist()
        out.append((tuple(arrays.ids[p] for p in projects), weight))
        start += length
    return out


def test_approval_sets_listed_in_another_order_are_one_row():
    instance, profile = make_election(
        dict.fromkeys(IDS[:3], 1), 3, [["p2", "p1"], ["p3"], ["p1", "p2"], [], ["p2", "p1"], []])
    arrays = profile_arrays(instance, profile)
    assert _rows(arrays) == [(("p1", "p2"), 3), (("p3",), 1), ((), 2)]
    assert arrays.voter_row.tolist() == [0, 1, 0, 2, 0, 2]


def test_rankings_in_another_order_stay_apart():
    instance, profile = make_election(
        dict.fromkeys(IDS[:2], 1), 2, [["p2", "p1"], ["p1", "p2"], ["p2", "p1"]],
        vote_type="ordinal")
    arrays = profile_arrays(instance, profile)
    assert _rows(arrays) == [(("p2", "p1"), 2), (("p1", "p2"), 1)]
    assert arrays.entry_position.tolist() == [0, 1, 0, 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(IDS), unique=True), max_size=15),
       st.sampled_from(["approval", "ordinal"]))
def test_rows_are_the_distinct_ballots_in_order_of_first_appearance(votes, vote_type):
    instance, profile = make_election(dict.fromkeys(IDS, 1), 5, votes, vote_type=vote_type)
    arrays = profile_arrays(instance, profile)
    as_key = (lambda v: tuple(sorted(v))) if vote_type == "approval" else tuple
    expected: dict[tuple, int] = {}
    for vote in votes:
        expected[as_key(vote)] = expected.get(as_key(vote), 0) + 1
    rows = _rows(arrays)
    assert [(as_key(projects), weight) for projects, weight in rows] == list(expected.items())
    if vote_type == "approval":  # stored sorted by project index (= id order here)
        assert all(list(projects) == sorted(projects) for projects, _ in rows)
    keys = list(expected)
    assert [keys[r] for r in arrays.voter_row.tolist()] == [as_key(v) for v in votes]
