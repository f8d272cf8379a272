"""A ballot naming projects the process does not have is refused with exactly those project
ids, comma-separated, in the order the ballot gave them: the voter's refusal (pb.ballots) and
the pabulib file check (pb.instance) alike (kills run-4 text survivors, see
bench/mutation-verdicts/pb.ballots.md and pb.instance.md)."""
from __future__ import annotations

from pb.ballots import BallotRules, Choice, Problem, check_choice
from pb.instance import Ballot, Instance, validate_ballot
from tests.pb.elections import make_election


def test_a_voters_refusal_names_each_unknown_project():
    problems = check_choice(BallotRules("approval"), Choice(("9", "1", "7")),
                            costs={"1": 10, "2": 20}, budget=60)
    assert problems == [Problem("unknown_project", {"projects": "9, 7"})]


def test_a_pabulib_ballot_check_names_each_unknown_project():
    instance, _ = make_election({"a": 10, "b": 20}, 60, [])
    instance = Instance(dict(instance.meta), instance.projects, instance.project_columns)
    assert validate_ballot(instance, Ballot("v", ("z", "a", "y"))) == [
        "unknown project(s): z, y"]
