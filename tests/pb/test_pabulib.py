"""Reading and writing pabulib files: real files round-trip, broken files fail clearly."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.pabulib import (
    PabulibError,
    PabulibWarning,
    format_pabulib,
    parse_pabulib,
    read_pabulib,
)
from pb.rules import mes
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
    "cost not a number": (_replace(10, "2;fifty;B"), "cost", 10),
    "negative cost": (_replace(10, "2;-50;B"), "negative cost", 10),
    "empty project id": (_replace(10, ";50;B"), "empty project_id", 10),
    "no VOTES": ("\n".join(VALID.splitlines()[:10]) + "\n", "missing section VOTES", None),
    "VOTES without vote": (_replace(12, "voter_id;ballot"), "'vote'", 12),
    "VOTES without voter_id": (_replace(12, "id;vote"), "'voter_id'", 12),
    "VOTES header repeats a column": (_replace(12, "voter_id;vote;vote"),
                                      "VOTES header repeats a column", 12),
    "vote row with extra field": (_replace(14, "v2;2;x"), "3 fields", 14),
    "unknown project in a vote": (_replace(14, "v2;3"), "unknown project id '3'", 14),
    "sections out of order": (VALID.replace("PROJECTS", "TMP").replace("VOTES", "PROJECTS")
                              .replace("TMP", "VOTES"), "expected section PROJECTS", 7),
    "cumulative without points": (_replace(4, "vote_type;cumulative"), "'points' column", 12),
    "META row with one field": (_replace(3, "budget"), "found 1", 3),
    "cost none": (_replace(10, "2;none;B"), "cost not a number", 10),
    "project row too long": (_replace(10, "2;50;B;x"), "PROJECTS row has 4 fields", 10),
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
    "META row with three fields": (_replace(3, "budget;100;x"), "2 fields", 3, "ignored"),
    "META key twice": (_replace(5, "budget;100"), "appears twice", 5, "the last value counts"),
    "project row too short": (_replace(10, "2;50"), "2 fields", 10, "absent"),
    "duplicate project id": (VALID.replace("2;50;B\n", "2;50;B\n1;70;C\n"),
                             "duplicate project_id '1'", 11,
                             "the first row counts"),
    "num_projects disagrees": (_replace(5, "num_projects;3"), "num_projects is 3", 5,
                               "the rows count"),
    "project twice in a vote": (_replace(14, "v2;2,2"), "appears twice", 14, "counted once"),
    "empty id inside a vote": (_replace(14, "v2;1,,2"), "empty project id", 14, "skipped"),
    "duplicate voter": (_replace(14, "v1;2"), "duplicate voter_id 'v1'", 14,
                        "every ballot counts"),
    "num_votes disagrees": (_replace(6, "num_votes;5"), "num_votes is 5", 6, "the rows count"),
    "vote row too short": (_replace(12, "voter_id;vote;age").replace("v2;2\n", "v2;2;30\n"),
                           "2 fields, the header has 3", 13, "absent"),
    "vote none": (_replace(14, "v2;None"), "vote is 'none'", 14, "empty ballot"),
    "choose-1 with two projects": (_replace(4, "vote_type;choose-1"), "lists 2 projects", 13,
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
        parse_pabulib(_replace(14, "v2;2,2"))


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


# --- the same meaning as pabutools' parser ----------------------------------------------------

def _pabutools_view(text: str):
    """(budget, {id: cost}, per-voter ballots) as pabutools 1.2.3 reads ``text``."""
    from pabutools.election.pabulib import parse_pabulib_from_string

    instance, profile = parse_pabulib_from_string(text)
    costs = {p.name: Fraction(str(p.cost)) for p in instance}
    ballots = [_canonical(instance.meta["vote_type"], [
        (p.name, None if not isinstance(b, dict) or b[p] is None else Fraction(str(b[p])))
        for p in b]) for b in profile]
    return Fraction(str(instance.budget_limit)), costs, ballots


def _our_view(text: str):
    instance, profile = parse_pabulib(text, on_warning=lambda line: None)
    costs = {p.id: Fraction(p.cost) for p in instance.projects}
    ballots = [
        _canonical(instance.vote_type, list(zip(b.projects, b.points or [None] * len(b.projects),
                                                strict=True)))
        for b in profile.ballots
    ]
    return Fraction(instance.budget), costs, ballots


def _canonical(vote_type: str, entries):
    if vote_type in ("approval", "choose-1"):
        return sorted(name for name, _ in entries)
    if vote_type == "ordinal":
        return [name for name, _ in entries]
    return sorted((name, Fraction(points)) for name, points in entries)


def _election(vote_type: str, votes: str, *, points_column: bool = False, meta: str = "",
              projects: str = "1;60;A\n2;50;B\n3;40;C\n") -> str:
    header = "voter_id;vote;points" if points_column else "voter_id;vote"
    return (f"META\nkey;value\nbudget;100\nvote_type;{vote_type}\n{meta}"
            f"PROJECTS\nproject_id;cost;name\n{projects}VOTES\n{header}\n{votes}")


SAME_AS_PABUTOOLS = {
    "approval: a repeated project counts once": _election("approval", "v1;1,2,1\nv2;3,3\n"),
    "approval: empty ids are skipped": _election("approval", "v1;1,,2\nv2;3,\nv3;\n"),
    "choose-1 is approval": _election("choose-1", "v1;1\nv2;2,3\n"),
    "ordinal: the first position counts": _election("ordinal", "v1;3,1,3,2\nv2;2,2\n"),
    "ordinal: empty ids are skipped": _election("ordinal", "v1;3,,1\n"),
    "cumulative: the last points count": _election(
        "cumulative", "v1;1,2,1;3,1,5\nv2;3,3,3,3;1,1,1,2\n", points_column=True),
    "scoring: the last points count": _election(
        "scoring", "v1;2,1,2;4,1,0\n", points_column=True),
    "cumulative: extra points are ignored": _election(
        "cumulative", "v1;1,2;3,1,9\n", points_column=True),
    "cumulative: points none is an empty ballot": _election(
        "cumulative", "v1;1,2;none\nv2;2;3\n", points_column=True),
    "none project fields are absent": _election(
        "approval", "v1;1\n", projects="1;60;none\n2;50;B\n3;40;None\n"),
    "none voter fields are absent": _election(
        "approval", "v1;1;none\n", meta="").replace("voter_id;vote", "voter_id;vote;age"),
    "META key twice: the last value counts": _election(
        "approval", "v1;1\n", meta="budget;90\n"),
    "short project and vote rows": _election(
        "approval", "v1;1;30\nv2;2\n", projects="1;60;A\n2;50\n3;40;C\n").replace(
        "voter_id;vote", "voter_id;vote;age"),
    "duplicate project id: the first row counts": _election(
        "approval", "v1;1\n", projects="1;60;A\n2;50;B\n1;70;C\n"),
    "duplicate voter id: both ballots count": _election("approval", "v1;1\nv1;2\n"),
    "counts that disagree with META": _election(
        "approval", "v1;1\n", meta="num_projects;7\nnum_votes;9\n"),
    "decimal commas and spaces": _election("cumulative", "v1; 1,2 ; 1.5,2\n",
                                           points_column=True).replace("budget;100",
                                                                       "budget; 100,5"),
    "section lines with trailing separators": _election("approval", "v1;1,2\n").replace(
        "VOTES\n", "VOTES;;\n").replace("META\n", "META;\n"),
}


@pytest.mark.parametrize("text", list(SAME_AS_PABUTOOLS.values()), ids=list(SAME_AS_PABUTOOLS))
def test_a_quirk_has_the_meaning_pabutools_gives_it(text):
    if "v1; 1,2" in text:  # pabutools does not strip ids inside a vote: compare the stripped file
        reference = _pabutools_view(text.replace("v1; 1,2 ; 1.5,2", "v1;1,2;1.5,2"))
    else:
        reference = _pabutools_view(text)
    assert _our_view(text) == reference


def test_none_project_fields_are_left_out_and_written_back_as_none():
    text = SAME_AS_PABUTOOLS["none project fields are absent"]
    instance, profile = parse_pabulib(text)
    assert instance.project_by_id["1"].extra == {}
    assert instance.project_by_id["2"].extra == {"name": "B"}
    assert "\n1;60;none\n" in format_pabulib(instance, profile)
    assert parse_pabulib(format_pabulib(instance, profile)) == (instance, profile)


def test_cumulative_repeats_keep_the_first_position_with_the_last_points():
    _, profile = parse_pabulib(SAME_AS_PABUTOOLS["cumulative: the last points count"],
                               on_warning=lambda line: None)
    assert profile.ballots[0].projects == ("1", "2")
    assert profile.ballots[0].points == (5, 1)
    assert profile.ballots[1].projects == ("3",) and profile.ballots[1].points == (2,)


def test_quoted_votes_take_the_csv_path_with_the_same_result_and_lines():
    plain = _replace(14, "v2;2,2")
    quoted = plain.replace("v2;2,2", 'v2;"2,2"')
    warned_plain: list[str] = []
    warned_quoted: list[str] = []
    assert (parse_pabulib(plain, on_warning=warned_plain.append)
            == parse_pabulib(quoted, on_warning=warned_quoted.append))
    assert [w.replace("'2,2'", "") for w in warned_plain] == [
        w.replace("'2,2'", "") for w in warned_quoted]
    with pytest.raises(PabulibError) as error:
        parse_pabulib(quoted.replace('"2,2"', '"9"'))
    assert error.value.line == 14


def test_blank_lines_inside_votes_keep_line_numbers():
    text = VALID.replace("v1;1,2\n", "v1;1,2\n\n  \n")
    assert parse_pabulib(text)[1].voter_ids == ("v1", "v2")
    with pytest.raises(PabulibError) as error:
        parse_pabulib(text.replace("v2;2", "v2;7"))
    assert error.value.line == 16


# --- writing and re-reading any parsed file gives the same election ----------------------------

_IDS = st.sampled_from(["1", "2", "10", "L005", "M/51"])
_CELL = st.sampled_from(["", "none", "None", "x", "a b", "K", "53", "x;y", 'say "hi"'])


@st.composite
def _pb_texts(draw):
    vote_type = draw(st.sampled_from(["approval", "choose-1", "ordinal", "cumulative",
                                      "scoring"]))
    with_points = vote_type in ("cumulative", "scoring")
    ids = draw(st.lists(_IDS, min_size=1, max_size=5, unique=True))
    lines = ["META", "key;value", f"budget;{draw(st.integers(0, 500))}",
             f"vote_type;{vote_type}"]
    if draw(st.booleans()):
        lines.append(f"num_votes;{draw(st.integers(0, 9))}")
    if draw(st.booleans()):
        lines.append("budget;" + str(draw(st.integers(0, 500))) + ",5")
    lines += ["PROJECTS", "project_id;cost;name"]
    for pid in ids + draw(st.lists(st.sampled_from(ids), max_size=2)):
        cell = draw(_CELL)
        lines.append(f'{pid};{draw(st.integers(0, 300))};{csv_quote(cell)}')
    lines += ["VOTES", "voter_id;vote" + (";points" if with_points else "") + ";age"]
    for v in range(draw(st.integers(0, 8))):
        vote = draw(st.lists(st.sampled_from(ids), max_size=5))
        if not with_points and vote and draw(st.booleans()):
            vote.insert(draw(st.integers(0, len(vote))), "")  # an empty id
        points = ",".join(str(draw(st.integers(0, 9))) + draw(st.sampled_from(["", ".5"]))
                          for _ in range(len(vote) + draw(st.integers(0, 1))))
        voter = f"v{draw(st.integers(0, 9)) if draw(st.booleans()) else v}"
        age = csv_quote(draw(_CELL))
        cells = [voter, ",".join(vote)] + ([points] if with_points else []) + [age]
        lines.append(";".join(cells))
    return "\n".join(lines) + "\n"


def csv_quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if (";" in cell or '"' in cell) else cell


@settings(max_examples=200, deadline=None)
@given(_pb_texts())
def test_writing_and_rereading_a_parsed_file_gives_the_same_election(text):
    election = parse_pabulib(text, on_warning=lambda line: None)
    assert parse_pabulib(format_pabulib(*election), on_warning=lambda line: None) == election


@pytest.mark.parametrize("space", [" ", "\t", "\xa0", "\u3000", "\x0b"])
def test_padded_vote_fields_are_stripped_on_the_fast_path(space):
    # one field padded anywhere (first, middle, last of a row, or of the section) is enough
    plain = _election("approval", "v1;1;30\nv2;2,3;40\n").replace("voter_id;vote",
                                                                  "voter_id;vote;age")
    expected = parse_pabulib(plain)
    for padded_row in (f"{space}v1;1;30\n", f"v1;{space}1;30\n", f"v1;1{space};30\n",
                       f"v1;1;30{space}\n"):
        text = plain.replace("v1;1;30\n", padded_row)
        assert parse_pabulib(text) == expected, repr(padded_row)
    assert parse_pabulib(plain.replace("v2;2,3;40\n", f"v2;2,3;40{space}\n")) == expected
    # inner spaces stay: a metadata value with a space inside is not a padded field
    inner = parse_pabulib(plain.replace(";30\n", f";3{space}0\n"))[1]
    assert inner.ballots[0].extra == {"age": f"3{space}0"}


def test_voter_metadata_is_read_only_when_asked_for_and_then_as_before():
    # the outcome reads voter ids and votes; ages, districts... of every voter are split from
    # the lines on first use, with the same stripping and 'none' handling as the other path
    text = _election("approval", "v1;1;30; a \nv2;2,3;NONE;b\n").replace(
        "voter_id;vote", "voter_id;vote;age;district")
    instance, profile = parse_pabulib(text)
    assert profile.extra._load is not None  # not materialised by parsing
    assert mes(instance, profile, completion="add1u").selected
    assert profile.extra._load is not None  # nor by an outcome
    assert profile.extra == (("age", ("30", "")), ("district", ("a", "b")))
    assert profile.ballots[1].extra == {"age": "", "district": "b"}
    # the row-by-row path (a quoted field) gives the same profile
    quoted = parse_pabulib(text.replace("v2;2,3;NONE;b", 'v2;2,3;NONE;"b"'))[1]
    assert quoted == profile
