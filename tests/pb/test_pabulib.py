"""Reading and writing pabulib files: real files round-trip, broken files fail clearly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pb.pabulib import PabulibError, format_pabulib, parse_pabulib, read_pabulib
from tests.pb.elections import SHARED_PABULIB

SHARED_FILES = sorted(SHARED_PABULIB.glob("*.pb"))

VALID = """META
key;value
budget;100
vote_type;approval
num_projects;2
num_votes;2
PROJECTS
project_id;cost;name
1;60;"A; with a semicolon"
2;50;B
VOTES
voter_id;vote
v1;1,2
v2;2
"""


def test_all_shared_files_are_present():
    assert len(SHARED_FILES) == 9


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_a_shared_file_round_trips_to_the_same_election(path):
    instance, profile = read_pabulib(path)
    again = parse_pabulib(format_pabulib(instance, profile))
    assert again == (instance, profile)
    assert len(profile) == int(instance.meta["num_votes"])
    assert len(instance.projects) == int(instance.meta["num_projects"])


def test_lodz_keeps_string_ids_and_voter_metadata():
    instance, profile = read_pabulib(SHARED_PABULIB / "poland_lodz_2022_.pb")
    assert instance.projects[0].id == "L010"
    first = profile.ballots[0]
    assert first.voter_id == "1401204197"
    assert first.projects == ("L005", "L007", "L008")
    assert first.extra == {"age": "53", "sex": "K", "voting_method": "internet"}


def test_quoted_names_with_semicolons_are_one_field():
    instance, _ = parse_pabulib(VALID)
    assert instance.project_by_id["1"].extra["name"] == "A; with a semicolon"


def test_real_file_quirks_are_tolerated():
    text = (
        "\ufeffMETA\r\nkey; value\r\nbudget; 100,5\r\nvote_type; cumulative\r\n"
        "PROJECTS\r\nproject_id; cost\r\np1; 12.25\r\np2; 7\r\n\r\n"
        "VOTES\r\nsex;points;vote;voter_id\r\nF; 2,1; p2,p1; a\r\nM;;;b\r\n"
    )
    instance, profile = parse_pabulib(text.removeprefix("\ufeff"))
    assert instance.budget == Fraction(201, 2)
    assert instance.project_by_id["p1"].cost == Fraction(49, 4)
    assert profile.ballots[0].projects == ("p2", "p1")
    assert profile.ballots[0].points == (2, 1)
    assert profile.ballots[0].extra == {"sex": "F"}
    assert profile.ballots[1].projects == ()  # an empty ballot is kept


def _replace(line: int, new: str | None) -> str:
    lines = VALID.splitlines()
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\n".join(lines) + "\n"


BROKEN = {
    "empty file": ("", "missing section META", None),
    "no META line": (VALID.split("\n", 1)[1], "expected section META", 1),
    "wrong META header": (_replace(2, "k;v"), "META header", 2),
    "META row with three fields": (_replace(3, "budget;100;x"), "2 fields", 3),
    "META key twice": (_replace(5, "budget;100"), "appears twice", 5),
    "no budget": (_replace(3, "country;PL"), "'budget'", None),
    "no vote_type": (_replace(4, "country;PL"), "'vote_type'", None),
    "budget not a number": (_replace(3, "budget;lots"), "budget", None),
    "negative budget": (_replace(3, "budget;-5"), "negative", None),
    "unknown vote_type": (_replace(4, "vote_type;approve"), "unknown vote_type", None),
    "file ends after META": ("\n".join(VALID.splitlines()[:6]) + "\n", "missing section PROJECTS",
                             None),
    "PROJECTS without cost": (_replace(8, "project_id;price;name"), "'cost'", 8),
    "PROJECTS without project_id": (_replace(8, "id;cost;name"), "'project_id'", 8),
    "PROJECTS header repeats a column": (_replace(8, "project_id;cost;cost"),
                                         "PROJECTS header repeats a column", 8),
    "project row too short": (_replace(10, "2;50"), "2 fields", 10),
    "duplicate project id": (_replace(10, "1;50;B"), "duplicate project_id '1'", 10),
    "cost not a number": (_replace(10, "2;fifty;B"), "cost", 10),
    "negative cost": (_replace(10, "2;-50;B"), "negative cost", 10),
    "empty project id": (_replace(10, ";50;B"), "empty project_id", 10),
    "num_projects disagrees": (_replace(5, "num_projects;3"), "num_projects is 3", None),
    "no VOTES": ("\n".join(VALID.splitlines()[:10]) + "\n", "missing section VOTES", None),
    "VOTES without vote": (_replace(12, "voter_id;ballot"), "'vote'", 12),
    "VOTES without voter_id": (_replace(12, "id;vote"), "'voter_id'", 12),
    "VOTES header repeats a column": (_replace(12, "voter_id;vote;vote"),
                                      "VOTES header repeats a column", 12),
    "vote row with extra field": (_replace(14, "v2;2;x"), "3 fields", 14),
    "unknown project in a vote": (_replace(14, "v2;3"), "unknown project id '3'", 14),
    "project twice in a vote": (_replace(14, "v2;2,2"), "appears twice", 14),
    "empty id inside a vote": (_replace(14, "v2;1,,2"), "empty project id", 14),
    "duplicate voter": (_replace(14, "v1;2"), "duplicate voter_id 'v1'", None),
    "num_votes disagrees": (_replace(6, "num_votes;5"), "num_votes is 5", None),
    "sections out of order": (VALID.replace("PROJECTS", "TMP").replace("VOTES", "PROJECTS")
                              .replace("TMP", "VOTES"), "expected section PROJECTS", 7),
    "cumulative without points": (_replace(4, "vote_type;cumulative"), "'points' column", 12),
}

CUMULATIVE = VALID.replace("approval", "cumulative")
CUMULATIVE = CUMULATIVE.replace("voter_id;vote", "voter_id;vote;points")
CUMULATIVE = CUMULATIVE.replace("v1;1,2", "v1;1,2;3,1").replace("v2;2\n", "v2;2;4\n")
BROKEN_POINTS = {
    "fewer points than projects": (CUMULATIVE.replace("3,1", "3"), "1 point value", 13),
    "points not numbers": (CUMULATIVE.replace("3,1", "3,x"), "points", 13),
    "negative points": (CUMULATIVE.replace("3,1", "3,-1"), "negative points", 13),
}


def test_the_catalogue_has_at_least_twenty_broken_files():
    assert len(BROKEN) + len(BROKEN_POINTS) >= 20
    parse_pabulib(VALID)
    parse_pabulib(CUMULATIVE)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    list(BROKEN.values()) + list(BROKEN_POINTS.values()),
    ids=list(BROKEN) + list(BROKEN_POINTS),
)
def test_a_broken_file_gives_a_clear_error_with_its_line(text, message, line):
    with pytest.raises(PabulibError) as error:
        parse_pabulib(text, source="broken.pb")
    assert message in str(error.value)
    assert str(error.value).startswith("broken.pb:")
    if line is not None:
        assert error.value.line == line
