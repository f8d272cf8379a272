"""A scoring ballot (pabulib vote_type "scoring") is held to the same points limits as a
cumulative one: too many points on a project or in total are refused with the project or the
total named (kills run-4 survivors in pb.instance.validate_ballot, see
bench/mutation-verdicts/pb.instance.md)."""
from __future__ import annotations

from pb.instance import Ballot, Instance, validate_ballot
from tests.pb.elections import make_election


def _scoring(**meta):
    instance, _ = make_election({"a": 10, "b": 20}, 30, [], vote_type="scoring")
    return Instance({**instance.meta, **meta}, instance.projects, instance.project_columns)


def test_a_scoring_ballot_over_its_points_limits_is_refused_with_each_limit_named():
    instance = _scoring(max_points="3", max_sum_points="5")
    assert validate_ballot(instance, Ballot("v", ("a", "b"), (3, 2))) == []
    assert validate_ballot(instance, Ballot("v", ("a", "b"), (4, 2))) == [
        "project a: at most 3 point(s) per project",
        "give at most 5 point(s) in total, not 6",
    ]


def test_a_scoring_ballot_without_points_is_refused():
    assert validate_ballot(_scoring(), Ballot("v", ("a",))) == [
        "give exactly one number of points per chosen project"]
