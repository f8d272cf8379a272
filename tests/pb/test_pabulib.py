"""Reading and writing pabulib files: real files round-trip, broken files fail clearly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pb.pabulib import (
    PabulibError,
    PabulibWarning,
    format_pabulib,
    parse_pabulib,
    read_pabulib,
)
from tests.pb.elections import SHARED_PABULIB
from tests.pb.pabulib_texts import VALID, replace_line

SHARED_FILES = sorted(SHARED_PABULIB.glob("*.pb"))



def test_all_shared_files_are_present():
    assert len(SHARED_FILES) == 9


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_a_shared_file_round_trips_to_the_sameelection_text(path):
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


BROKEN = {
    "empty file": ("", "missing section META", None),
    "no META line": (VALID.split("\n", 1)[1], "expected section META", 1),
    "wrong META header": (replace_line(2, "k;v"), "META header", 2),
    "no budget": (replace_line(3, "country;PL"), "'budget'", None),
    "no vote_type": (replace_line(4, "country;PL"), "'vote_type'", None),
    "budget not a number": (replace_line(3, "budget;lots"), "budget", None),
    "negative budget": (replace_line(3, "budget;-5"), "negative", None),
    "unknown vote_type": (replace_line(4, "vote_type;approve"), "unknown vote_type", None),
    "file ends after META": ("\n".join(VALID.splitlines()[:6]) + "\n", "missing section PROJECTS",
                             None),
    "PROJECTS without cost": (replace_line(8, "project_id;price;name"), "'cost'", 8),
    "PROJECTS without project_id": (replace_line(8, "id;cost;name"), "'project_id'", 8),
    "PROJECTS header repeats a column": (replace_line(8, "project_id;cost;cost"),
                                         "PROJECTS header repeats a column", 8),
    "cost not a number": (replace_line(10, "2;fifty;B"), "cost", 10),
    "negative cost": (replace_line(10, "2;-50;B"), "negative cost", 10),
    "empty project id": (replace_line(10, ";50;B"), "empty project_id", 10),
    "no VOTES": ("\n".join(VALID.splitlines()[:10]) + "\n", "missing section VOTES", None),
    "VOTES without vote": (replace_line(12, "voter_id;ballot"), "'vote'", 12),
    "VOTES without voter_id": (replace_line(12, "id;vote"), "'voter_id'", 12),
    "VOTES header repeats a column": (replace_line(12, "voter_id;vote;vote"),
                                      "VOTES header repeats a column", 12),
    "vote row with extra field": (replace_line(14, "v2;2;x"), "3 fields", 14),
    "unknown project in a vote": (replace_line(14, "v2;3"), "unknown project id '3'", 14),
    "sections out of order": (VALID.replace("PROJECTS", "TMP").replace("VOTES", "PROJECTS")
                              .replace("TMP", "VOTES"), "expected section PROJECTS", 7),
    "cumulative without points": (replace_line(4, "vote_type;cumulative"), "'points' column", 12),
    "META row with one field": (replace_line(3, "budget"), "found 1", 3),
    "cost none": (replace_line(10, "2;none;B"), "cost not a number", 10),
    "project row too long": (replace_line(10, "2;50;B;x"), "PROJECTS row has 4 fields", 10),
}

CUMULATIVE = VALID.replace("approval", "cumulative")
CUMULATIVE = CUMULATIVE.replace("voter_id;vote", "voter_id;vote;points")
CUMULATIVE = CUMULATIVE.replace("v1;1,2", "v1;1,2;3,1").replace("v2;2\n", "v2;2;4\n")
BROKEN_POINTS = {
    "fewer points than projects": (CUMULATIVE.replace("3,1", "3"), "1 point value", 13),
    "points not numbers": (CUMULATIVE.replace("3,1", "3,x"), "points", 13),
    "negative points": (CUMULATIVE.replace("3,1", "3,-1"), "negative points", 13),
    "empty id in a cumulative vote": (CUMULATIVE.replace("1,2;3,1", "1,,2;3,0,1"),
                                      "empty project id", 13),
    "unknown project in a cumulative vote": (CUMULATIVE.replace("1,2;3,1", "1,7;3,1"),
                                             "unknown project id '7'", 13),
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


# Quirks pabutools 1.2.3 reads: (text, message under --strict, its line, what the warning says).
REPAIRED = {
    "META row with three fields": (replace_line(3, "budget;100;x"), "2 fields", 3, "ignored"),
    "META key twice": (replace_line(5, "budget;100"), "appears twice", 5, "the last value counts"),
    "project row too short": (replace_line(10, "2;50"), "2 fields", 10, "absent"),
    "duplicate project id": (VALID.replace("2;50;B\n", "2;50;B\n1;70;C\n"),
                             "duplicate project_id '1'", 11,
                             "the first row counts"),
    "num_projects disagrees": (replace_line(5, "num_projects;3"), "num_projects is 3", 5,
                               "the rows count"),
    "project twice in a vote": (replace_line(14, "v2;2,2"), "appears twice", 14, "counted once"),
    "empty id inside a vote": (replace_line(14, "v2;1,,2"), "empty project id", 14, "skipped"),
    "duplicate voter": (replace_line(14, "v1;2"), "duplicate voter_id 'v1'", 14,
                        "every ballot counts"),
    "num_votes disagrees": (replace_line(6, "num_votes;5"), "num_votes is 5", 6, "the rows count"),
    "vote row too short": (replace_line(12, "voter_id;vote;age").replace("v2;2\n", "v2;2;30\n"),
                           "2 fields, the header has 3", 13, "absent"),
    "vote none": (replace_line(14, "v2;None"), "vote is 'none'", 14, "empty ballot"),
    "choose-1 with two projects": (replace_line(4, "vote_type;choose-1"), "lists 2 projects", 13,
                                   "read as approval"),
    "more points than projects": (CUMULATIVE.replace("3,1", "3,1,4"), "3 point value(s)", 13,
                                  "ignored"),
    "cumulative points none": (CUMULATIVE.replace("3,1", "none"), "points is 'none'", 13,
                               "empty ballot"),
}


@pytest.mark.parametrize(("text", "message", "line", "repair"), list(REPAIRED.values()),
                         ids=list(REPAIRED))
def test_a_quirk_is_repaired_with_a_warning_and_refused_under_strict(text, message, line, repair):
    warned: list[str] = []
    parse_pabulib(text, source="quirk.pb", on_warning=warned.append)
    assert len(warned) == 1
    assert warned[0].startswith(f"quirk.pb:{line}: warning: ")
    assert message in warned[0] and repair in warned[0] and warned[0].endswith("(1 time)")
    with pytest.raises(PabulibError) as error:
        parse_pabulib(text, source="quirk.pb", strict=True)
    assert message in str(error.value)
    assert error.value.line == line


def test_without_a_callback_repairs_are_python_warnings():
    with pytest.warns(PabulibWarning, match=r"<pabulib>:14: warning: .*appears twice"):
        parse_pabulib(replace_line(14, "v2;2,2"))


def test_each_kind_of_repair_is_reported_once_with_its_count_at_its_first_line():
    votes = "".join(f"v{k};{vote}\n" for k, vote in enumerate(
        ["1,1", "2", "2,2", "1,,2", "2,2", "1,2,"]))
    text = VALID.replace("num_votes;2", "num_votes;6").split("VOTES\n")[0]
    text += "VOTES\nvoter_id;vote\n" + votes
    warned: list[str] = []
    _, profile = parse_pabulib(text, source="q.pb", on_warning=warned.append)
    assert warned == [
        "q.pb:13: warning: voter v0: a project appears twice in vote '1,1'; counted once "
        "(3 times)",
        "q.pb:16: warning: voter v3: empty project id in vote '1,,2'; skipped (2 times)",
    ]
    assert [ballot.projects for ballot in profile.ballots] == [
        ("1",), ("2",), ("2",), ("1", "2"), ("2",), ("1", "2")]
