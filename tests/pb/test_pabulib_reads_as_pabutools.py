"""A pabulib file means what pabutools 1.2.3 reads it to mean (issue 16): every quirk of real
files is repaired to the same election."""
from __future__ import annotations

from fractions import Fraction

import pytest

from pb.pabulib import PabulibError, format_pabulib, parse_pabulib
from tests.pb.pabulib_texts import VALID, election_text, replace_line


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


SAME_AS_PABUTOOLS = {
    "approval: a repeated project counts once": election_text("approval", "v1;1,2,1\nv2;3,3\n"),
    "approval: empty ids are skipped": election_text("approval", "v1;1,,2\nv2;3,\nv3;\n"),
    "choose-1 is approval": election_text("choose-1", "v1;1\nv2;2,3\n"),
    "ordinal: the first position counts": election_text("ordinal", "v1;3,1,3,2\nv2;2,2\n"),
    "ordinal: empty ids are skipped": election_text("ordinal", "v1;3,,1\n"),
    "cumulative: the last points count": election_text(
        "cumulative", "v1;1,2,1;3,1,5\nv2;3,3,3,3;1,1,1,2\n", points_column=True),
    "scoring: the last points count": election_text(
        "scoring", "v1;2,1,2;4,1,0\n", points_column=True),
    "cumulative: extra points are ignored": election_text(
        "cumulative", "v1;1,2;3,1,9\n", points_column=True),
    "cumulative: points none is an empty ballot": election_text(
        "cumulative", "v1;1,2;none\nv2;2;3\n", points_column=True),
    "none project fields are absent": election_text(
        "approval", "v1;1\n", projects="1;60;none\n2;50;B\n3;40;None\n"),
    "none voter fields are absent": election_text(
        "approval", "v1;1;none\n", meta="").replace("voter_id;vote", "voter_id;vote;age"),
    "META key twice: the last value counts": election_text(
        "approval", "v1;1\n", meta="budget;90\n"),
    "short project and vote rows": election_text(
        "approval", "v1;1;30\nv2;2\n", projects="1;60;A\n2;50\n3;40;C\n").replace(
        "voter_id;vote", "voter_id;vote;age"),
    "duplicate project id: the first row counts": election_text(
        "approval", "v1;1\n", projects="1;60;A\n2;50;B\n1;70;C\n"),
    "duplicate voter id: both ballots count": election_text("approval", "v1;1\nv1;2\n"),
    "counts that disagree with META": election_text(
        "approval", "v1;1\n", meta="num_projects;7\nnum_votes;9\n"),
    "decimal commas and spaces": election_text("cumulative", "v1; 1,2 ; 1.5,2\n",
                                           points_column=True).replace("budget;100",
                                                                       "budget; 100,5"),
    "section lines with trailing separators": election_text("approval", "v1;1,2\n").replace(
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
    plain = replace_line(14, "v2;2,2")
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
