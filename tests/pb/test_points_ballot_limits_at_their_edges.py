"""A voter spreading points in a cumulative ballot: giving exactly the minimum per project or
in total is accepted, one point less is refused with a message naming the project or the
total, and the ballot error lists every message. The limits are read exactly from the
election's META, decimal commas included. (Mutation survivors in pb/instance.py, issue 15.)"""
from __future__ import annotations

from fractions import Fraction

import pytest

from pb.instance import (
    Ballot,
    BallotConstraints,
    BallotError,
    Instance,
    check_ballot,
    exact_number,
    format_money,
)
from pb.instance import validate_ballot as problems
from tests.pb.elections import make_election


@pytest.fixture
def election():
    instance, _ = make_election({"a": 10, "b": 20}, 30, [], vote_type="cumulative")
    return _with_meta(instance, min_points="2", min_sum_points="5", max_sum_points="9")


def _with_meta(instance, **meta):
    return Instance({**instance.meta, **meta}, instance.projects, instance.project_columns)


def test_exactly_the_minimum_points_per_project_and_in_total_are_accepted(election):
    assert problems(election, Ballot("v", ("a", "b"), (2, 3))) == []


def test_one_point_below_a_minimum_is_refused_with_the_project_or_total_named(election):
    assert problems(election, Ballot("v", ("a", "b"), (1, 3))) == [
        "project a: at least 2 point(s) per project",
        "give at least 5 point(s) in total, not 4",
    ]


def test_the_ballot_error_lists_every_problem(election):
    with pytest.raises(BallotError) as refused:
        check_ballot(election, Ballot("v", ("a", "b"), (1, 3)))
    assert str(refused.value) == ("project a: at least 2 point(s) per project; "
                                  "give at least 5 point(s) in total, not 4")


@pytest.mark.parametrize("text,value", [("12,50", Fraction(25, 2)), (" 7 ", 7), ("3.0", 3),
                                        ("0,1", Fraction(1, 10))])
def test_limits_are_read_exactly_with_a_decimal_point_or_comma(text, value):
    number = exact_number(text)
    assert number == value and type(number) is type(value)


@pytest.mark.parametrize("text,message", [("  ", "empty number"), ("12,5,0", "not a number"),
                                          ("1/0", "not a number")])
def test_a_limit_that_is_not_a_number_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError) as refused:
        exact_number(text)
    assert str(refused.value).startswith(message)


def test_constraints_come_from_meta_with_decimal_commas():
    limits = BallotConstraints.from_meta({"max_sum_cost": "1000,5", "min_length": "2",
                                          "unrelated": "x"})
    assert (limits.max_sum_cost, limits.min_length) == (Fraction(2001, 2), 2)
    assert type(limits.min_length) is int


@pytest.mark.parametrize("value,text", [
    (1000, "1000"), (Fraction(3), "3"), (Fraction(25, 2), "12.5"), (Fraction(2001, 2), "1000.5"),
    (Fraction(7, 20), "0.35"), (Fraction(1, 100), "0.01"), (Fraction(-1, 8), "-0.125"),
    (Fraction(-5, 2), "-2.5"), (Fraction(1, 3), "1/3"), (Fraction(7, 6), "7/6"),
])
def test_amounts_are_written_exactly(value, text):
    assert format_money(value) == text


def test_a_cost_limit_message_shows_the_exact_amounts():
    instance, _ = make_election({"a": Fraction(81, 4), "b": Fraction(41, 2)}, 50, [])
    instance = _with_meta(instance, max_sum_cost="40,5")
    assert problems(instance, Ballot("v", ("a", "b"))) == [
        "the chosen projects cost 40.75, more than the limit 40.5"]
