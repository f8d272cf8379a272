"""Ballot validation as the web ballot form will use it."""

from __future__ import annotations

import pytest

from pb.instance import (
    Ballot,
    BallotConstraints,
    BallotError,
    Instance,
    Project,
    check_ballot,
    validate_ballot,
)
from pb.pabulib import read_pabulib
from tests.pb.elections import SHARED_PABULIB, make_election


def _with_meta(instance, **meta):
    return Instance({**instance.meta, **{k: str(v) for k, v in meta.items()}}, instance.projects,
                    instance.project_columns)


def test_a_valid_approval_ballot_has_no_problems():
    instance, _ = make_election({"a": 10, "b": 20}, 30, [])
    assert validate_ballot(instance, Ballot("v", ("a", "b"))) == []


def test_approval_limits_on_length_and_cost_are_reported_together():
    instance, _ = make_election({"a": 10, "b": 20, "c": 30}, 60, [])
    instance = _with_meta(instance, max_length=2, max_sum_cost=40)
    messages = validate_ballot(instance, Ballot("v", ("a", "b", "c")))
    assert messages == [
        "choose at most 2 project(s), not 3",
        "the chosen projects cost 60, more than the limit 40",
    ]


def test_unknown_and_repeated_projects_are_named():
    instance, _ = make_election({"a": 10}, 30, [])
    messages = validate_ballot(instance, Ballot("v", ("a", "zz", "a")))
    assert "unknown project(s): zz" in messages
    assert "project a appears more than once" in messages


def test_cumulative_points_limits():
    instance, _ = make_election({"a": 10, "b": 20}, 30, [], vote_type="cumulative")
    instance = _with_meta(instance, max_points=3, max_sum_points=4, min_sum_points=1)
    assert validate_ballot(instance, Ballot("v", ("a", "b"), (3, 1))) == []
    assert validate_ballot(instance, Ballot("v", ("a", "b"), (4, 1))) == [
        "project a: at most 3 point(s) per project",
        "give at most 4 point(s) in total, not 5",
    ]
    assert validate_ballot(instance, Ballot("v", ("a",), (1, 2))) == [
        "give exactly one number of points per chosen project"
    ]


def test_krakow_ballots_need_exactly_three_projects():
    instance, profile = read_pabulib(SHARED_PABULIB / "poland_krakow_2018_wzgorza-krzeslawickie.pb")
    assert all(validate_ballot(instance, ballot) == [] for ballot in profile.ballots[:50])
    assert validate_ballot(instance, Ballot("new", ("1", "2"))) == [
        "choose at least 3 project(s), not 2"
    ]


def test_check_ballot_raises_with_every_message():
    instance, _ = make_election({"a": 10}, 30, [])
    instance = _with_meta(instance, min_length=2)
    with pytest.raises(BallotError) as error:
        check_ballot(instance, Ballot("v", ("b",)))
    assert error.value.messages == ["unknown project(s): b", "choose at least 2 project(s), not 1"]


def test_election_values_compare_hash_print_and_stay_frozen_like_dataclasses():
    project = Project("a", 10, {"name": "Benches"})
    assert project == Project("a", 10, {"name": "Benches"}) != Project("a", 10)
    assert Project("a", 10).extra == {} and Project("a", 10) != ("a", 10, {})
    assert repr(Ballot("v", ("a",))) == (
        "Ballot(voter_id='v', projects=('a',), points=None, extra={})")
    assert hash(BallotConstraints(max_length=2)) == hash(BallotConstraints(max_length=2))
    assert BallotConstraints(max_length=2) != BallotConstraints(max_length=3)
    instance, profile = make_election({"a": 10}, 30, [["a"]])
    with pytest.raises(AttributeError, match="cannot assign to field 'budget'"):
        instance.budget = 5
    with pytest.raises(AttributeError, match="cannot assign"):
        project.cost = 0
    with pytest.raises(AttributeError, match="cannot delete"):
        del profile.voter_ids
    assert instance.budget == 30 and instance == Instance(dict(instance.meta), instance.projects)
