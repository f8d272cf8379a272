"""A ballot exactly at a pabulib limit (min/max_length, min/max_sum_cost) is valid, and
choose-1 ballots take exactly one project (pb.instance.validate_ballot)."""
from __future__ import annotations

from pb.instance import Ballot, Instance, validate_ballot
from tests.pb.elections import make_election

COSTS = {"a": 10, "b": 20, "c": 30}


def _instance(vote_type="approval", **meta):
    instance, _ = make_election(COSTS, 60, [], vote_type=vote_type)
    return Instance({**instance.meta, **{k: str(v) for k, v in meta.items()}},
                    instance.projects, instance.project_columns)


def test_a_ballot_at_exactly_the_length_and_cost_limits_is_valid():
    instance = _instance(min_length=2, max_length=2, min_sum_cost=30, max_sum_cost=30)
    assert validate_ballot(instance, Ballot("v", ("a", "b"))) == []


def test_a_choose_one_ballot_takes_exactly_one_project_within_the_cost_limit():
    instance = _instance("choose-1", max_sum_cost=20)
    assert validate_ballot(instance, Ballot("v", ("b",))) == []
    assert validate_ballot(instance, Ballot("v", ("c",))) == [
        "the chosen projects cost 30, more than the limit 20"]
    assert validate_ballot(instance, Ballot("v", ("a", "b"))) == [
        "the chosen projects cost 30, more than the limit 20",
        "choose exactly one project, not 2"]
