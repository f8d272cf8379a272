"""A profile built from ballots keeps, in order, each voter's id, choice, points and metadata,
and names the VOTES columns it uses (pb.instance.Profile.from_ballots)."""
from __future__ import annotations

from pb.instance import Ballot, Profile


def test_approval_ballots_keep_voters_choices_and_metadata_columns():
    ballots = [Ballot("v1", ("a", "b"), None, {"age": "30", "district": "N"}),
               Ballot("v2", ("b",), None, {"age": "41"}),
               Ballot("v3", ("a", "b"), None, {})]
    profile = Profile.from_ballots(ballots)
    assert profile.vote_columns == ("voter_id", "vote", "age", "district")
    assert profile.voter_ids == ("v1", "v2", "v3")
    assert profile.ballot_index == (0, 1, 0)
    assert profile.extra == (("age", ("30", "41", "")), ("district", ("N", "", "")))
    assert list(profile.ballots) == [
        Ballot("v1", ("a", "b"), None, {"age": "30", "district": "N"}),
        Ballot("v2", ("b",), None, {"age": "41", "district": ""}),
        Ballot("v3", ("a", "b"), None, {"age": "", "district": ""})]


def test_points_ballots_name_the_points_column_and_keep_points():
    profile = Profile.from_ballots([Ballot("v1", ("a", "b"), (3, 2)), Ballot("v2", ("b",), (5,))])
    assert profile.vote_columns == ("voter_id", "vote", "points")
    assert profile.extra == ()
    assert [(b.voter_id, b.projects, b.points) for b in profile.ballots] == [
        ("v1", ("a", "b"), (3, 2)), ("v2", ("b",), (5,))]


def test_given_vote_columns_are_kept_as_given():
    profile = Profile.from_ballots([Ballot("v1", ("a",), None, {"age": "30"})],
                                   vote_columns=("voter_id", "age", "vote"))
    assert profile.vote_columns == ("voter_id", "age", "vote")
    assert profile.extra == (("age", ("30",)),)
