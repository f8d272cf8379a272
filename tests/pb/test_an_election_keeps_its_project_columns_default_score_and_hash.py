"""An election read from a .pb file keeps its PROJECTS header (so the file written back has the
same columns), its ballot constraints default to pabulib's (no limits, ``default_score`` 0)
and its value types hash by value, as a frozen dataclass would. Kills run-5 survivors of
pb.instance (see bench/mutation-verdicts/pb.instance.md)."""
from __future__ import annotations

from pb.instance import BallotConstraints, Instance, Project
from pb.pabulib import parse_pabulib
from pb.pabulib_writer import format_pabulib

TEXT = ("META\nkey;value\ndescription;Our park\nnum_projects;2\nnum_votes;1\nbudget;30\n"
        "vote_type;approval\nPROJECTS\nproject_id;cost;name\na;10;Benches\nb;25;Trees\n"
        "VOTES\nvoter_id;vote\nv1;a,b\n")


def test_the_projects_extra_columns_are_kept_and_written_back():
    instance, profile = parse_pabulib(TEXT)
    assert instance.project_columns == ("project_id", "cost", "name")
    assert format_pabulib(instance, profile) == TEXT
    projects = (Project("a", 10),)
    assert Instance({"budget": "30"}, projects).project_columns == ("project_id", "cost")
    assert Instance({"budget": "30"}, projects, ("cost", "project_id")).project_columns == (
        "cost", "project_id")


def test_meta_without_limits_gives_no_limits_and_a_default_score_of_zero():
    instance, _ = parse_pabulib(TEXT)
    assert instance.constraints == BallotConstraints.from_meta({}) == BallotConstraints()
    assert [getattr(instance.constraints, name) for name in BallotConstraints._fields] == [
        None] * 8 + [0]
    assert BallotConstraints.from_meta({"default_score": "2"}).default_score == 2


def test_constraints_hash_by_their_values_like_a_frozen_dataclass():
    assert hash(BallotConstraints(max_length=2)) == hash((None, 2) + (None,) * 6 + (0,))
    assert len({hash(BallotConstraints(max_length=n)) for n in range(20)}) == 20
