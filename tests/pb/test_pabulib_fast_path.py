"""The VOTES fast path of the reader (chunks of lines split at once, row width checked from the
split, distinct vote texts parsed once) reads every file as the row-by-row path does: the same
election, voter metadata, warnings and errors, on every shared file and on hand-made quirks."""

from __future__ import annotations

import pytest

from pb import pabulib_votes
from pb.pabulib import PabulibError, parse_pabulib
from tests.pb.elections import SHARED_PABULIB

SHARED_FILES = sorted(SHARED_PABULIB.glob("*.pb"))

BASE = """META
key;value
budget;100
vote_type;{vote_type}
num_votes;5
PROJECTS
project_id;cost;name
1;60;A
2;50;B
3;40;C
VOTES
voter_id;vote;age;district
v1;1;30;North
v2;2;41;Śródmieście
v3;3;none;South
v4;;22;North
v5;2;63;Stare Miasto , Szczepin ,
"""

QUIRKS = {
    "plain": lambda t: t,
    "repeated project": lambda t: t.replace("v1;1;", "v1;1,1;"),
    "two projects": lambda t: t.replace("v1;1;", "v1;1,2;"),
    "none vote": lambda t: t.replace("v3;3;", "v3;none;"),
    "empty id": lambda t: t.replace("v1;1;", "v1;1,,2;"),
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "CR": lambda t: t.replace("\n", "\r"),
    "trailing blanks": lambda t: t + "\n  \n\t\n",
    "no final line end": lambda t: t.rstrip("\n"),
    "trailing spaces on the last row": lambda t: t.rstrip("\n") + "  \n\n",
    "blank line inside": lambda t: t.replace("v2;", "\nv2;"),
    "quoted metadata": lambda t: t.replace("Śródmieście", '"Śród;mieście"'),
    "quoted vote": lambda t: t.replace("v2;2;", 'v2;"2";'),
    "padded vote": lambda t: t.replace("v2;2;", "v2; 2 ;"),
    "padded voter id": lambda t: t.replace("v5;", "\u3000v5;"),
    "short row": lambda t: t.replace("v4;;22;North", "v4;;22"),
    "long row": lambda t: t.replace("v4;;22;North", "v4;;22;North;x"),
    "duplicate voter": lambda t: t.replace("v4;", "v1;"),
    "unknown project": lambda t: t.replace("v2;2;", "v2;7;"),
    "count disagrees": lambda t: t.replace("num_votes;5", "num_votes;6"),
    "no votes": lambda t: t[:t.index("v1;")],
}


def _read(text: str, *, fast: bool, chunk: int | None = None, strict: bool = False):
    """The election, its voter metadata and warnings, or the error, read by one path."""
    with pytest.MonkeyPatch.context() as patch:
        if not fast:  # both fast paths declined: rows split one by one, every text parsed
            patch.setattr(pabulib_votes, "_split_columns", lambda *args: None)
            patch.setattr(pabulib_votes, "_plain_ballots", lambda *args: None)
        if chunk is not None:
            patch.setattr(pabulib_votes, "_CHUNK", chunk)
        warned: list[str] = []
        try:
            instance, profile = parse_pabulib(text, on_warning=warned.append, strict=strict)
        except PabulibError as error:
            return "error", str(error)
    return instance, profile, tuple(profile.extra), warned


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda path: path.name)
def test_every_shared_file_reads_the_same_on_both_paths(path):
    text = path.read_text(encoding="utf-8-sig")
    assert _read(text, fast=True) == _read(text, fast=False)


def test_the_fast_path_is_the_one_taken_on_a_large_single_choice_file(monkeypatch):
    split = pabulib_votes._split_columns
    taken = []
    monkeypatch.setattr(pabulib_votes, "_split_columns",
                        lambda *args: taken.append(split(*args) is not None) or split(*args))
    text = (SHARED_PABULIB / "poland_wroclaw_2015_up-to-150.pb").read_text(encoding="utf-8")
    instance, profile = parse_pabulib(text)
    assert taken == [True] and len(profile) == 108499 and len(instance.projects) == 337


@pytest.mark.parametrize("vote_type", ["approval", "choose-1", "ordinal"])
@pytest.mark.parametrize("quirk", QUIRKS)
@pytest.mark.parametrize("chunk", [None, 1, 9, 30])
def test_a_quirk_reads_the_same_on_both_paths_whatever_the_chunks(quirk, vote_type, chunk):
    # chunks of 1-30 characters: every row, or a few, per split; lines are never cut
    text = QUIRKS[quirk](BASE.format(vote_type=vote_type))
    general = _read(text, fast=False)
    assert _read(text, fast=True, chunk=chunk) == general
    assert _read(text, fast=True, chunk=chunk, strict=True) == _read(text, fast=False,
                                                                     strict=True)
    if quirk in ("plain", "CRLF", "padded vote", "quoted metadata"):
        assert general[0] != "error" and not general[3], general  # read cleanly


def test_the_width_check_catches_a_short_and_a_long_row_that_balance_out():
    # the section (one chunk) has as many fields as if every row had 4: only the line ends tell
    text = BASE.format(vote_type="approval").replace("v1;1;30;North", "v1;1;30").replace(
        "v4;;22;North", "v4;;22;North;x")
    fast = _read(text, fast=True)
    assert fast == _read(text, fast=False)
    assert fast[0] == "error" and "VOTES row has 5 fields, the header has 4" in fast[1]
