"""Writing and re-reading any parsed pabulib file gives the same election (issue 16)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.pabulib import format_pabulib, parse_pabulib
from pb.rules import mes
from tests.pb.pabulib_texts import election_text

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
def test_writing_and_rereading_a_parsed_file_gives_the_sameelection_text(text):
    election = parse_pabulib(text, on_warning=lambda line: None)
    assert parse_pabulib(format_pabulib(*election), on_warning=lambda line: None) == election


@pytest.mark.parametrize("space", [" ", "\t", "\xa0", "\u3000", "\x0b"])
def test_padded_vote_fields_are_stripped_on_the_fast_path(space):
    # one field padded anywhere (first, middle, last of a row, or of the section) is enough
    plain = election_text("approval", "v1;1;30\nv2;2,3;40\n").replace("voter_id;vote",
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
    text = election_text("approval", "v1;1;30; a \nv2;2,3;NONE;b\n").replace(
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
