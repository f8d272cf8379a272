"""Bad or degenerate input gives a clear ValueError or a defined, documented result —
never a crash trace (docs/polis-math.md §4 edge cases)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from deliberation.__main__ import main
from deliberation.math_json import to_math_pca2
from deliberation.matrix import build_vote_matrix
from deliberation.pipeline import run_pipeline
from deliberation.polis_io import read_fixture, read_opendata


def _matrix(pids, tids, votes, **kw):
    return build_vote_matrix(pids=np.asarray(pids), tids=np.asarray(tids),
                             votes=np.asarray(votes), **kw)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"pids": [1, 2], "tids": [0, 0], "votes": [1, 2]}, "unknown vote value 2"),
    ({"pids": [], "tids": [], "votes": []}, "no votes"),
    ({"pids": [1], "tids": [0, 1], "votes": [1]}, "same length"),
    ({"pids": [1.5], "tids": [0], "votes": [1]}, "integer"),
    ({"pids": [1], "tids": [0], "votes": [1], "timestamps": [np.nan]}, "finite"),
])
def test_malformed_votes_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _matrix(**kwargs)


def _json_ok(result) -> dict:
    return json.loads(json.dumps(to_math_pca2(result), allow_nan=False))


def test_one_participant_is_one_group_of_one():
    result = run_pipeline(_matrix([7, 7, 7], [0, 1, 2], [-1, 1, 0]))
    out = _json_ok(result)
    assert out["in-conv"] == [7]
    assert len(out["group-clusters"]) == 1


def test_one_statement_uses_the_single_axis_and_still_groups():
    result = run_pipeline(_matrix([1, 2, 3, 4], [0, 0, 0, 0], [-1, 1, 0, -1]))
    assert result.pca.comps.tolist() == [[1.0], [0.0]]
    assert sorted(set(result.group_of[result.in_conv])) == [0, 1]
    _json_ok(result)


def test_all_passes_give_zero_projections_one_group_and_a_note():
    pids = np.repeat(np.arange(20), 8)
    result = run_pipeline(_matrix(pids, np.tile(np.arange(8), 20), np.zeros(160, int)))
    assert not result.projection.any()
    assert len(result.group_ids) == 1
    assert result.notes and "no variance" in result.notes[0]
    assert result.consensus == {"agree": [], "disagree": []}
    _json_ok(result)


def test_duplicate_comment_ids_in_comments_csv_are_refused(tmp_path):
    (tmp_path / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n1,,0,0,1\n")
    (tmp_path / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1,,0,0,0,0,1,a\n1,,0,0,0,0,1,b\n")
    with pytest.raises(ValueError, match="duplicate comment-id 0"):
        read_opendata(tmp_path)


def test_duplicate_participants_in_the_wide_matrix_are_refused(tmp_path):
    (tmp_path / "participants-votes.csv").write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n1,,0,1,1,0,1\n"
        "1,,0,1,1,0,-1\n")
    with pytest.raises(ValueError, match="duplicate participant 1"):
        read_opendata(tmp_path)


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty file"),
    ("timestamp,datetime,comment-id,voter-id,vote\n", "empty file"),
    ("timestamp,datetime,comment-id,voter-id,vote\n1,,0,,1\n", "line 2: expected an integer"),
    ("timestamp,datetime,comment-id,voter-id,vote\n1,,0,3,5\n", "unknown vote value '5'"),
])
def test_broken_votes_csv_names_file_and_line(tmp_path, content, message):
    (tmp_path / "votes.csv").write_text(content)
    with pytest.raises(ValueError, match=message):
        read_opendata(tmp_path)


def test_fixture_with_missing_ids_or_bad_values_is_refused(tmp_path):
    (tmp_path / "votes.json").write_text(json.dumps([{"pid": 1, "vote": 1, "modified": 1}]))
    with pytest.raises(ValueError, match="without participant or statement id"):
        read_fixture(tmp_path)
    (tmp_path / "votes.json").write_text(json.dumps([{"pid": 1, "tid": 0, "vote": 3}]))
    with pytest.raises(ValueError, match="unknown vote value 3"):
        read_fixture(tmp_path)
    (tmp_path / "votes.json").write_text("[]")
    with pytest.raises(ValueError, match="non-empty list"):
        read_fixture(tmp_path)


def test_cli_reports_bad_input_in_one_line_and_exit_status_2(tmp_path, capsys):
    (tmp_path / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n1,,0,3,9\n")
    assert main(["cluster", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert main(["cluster", str(tmp_path / "missing")]) == 2


VOTES_CSV = "timestamp,datetime,comment-id,voter-id,vote\n"
WIDE_CSV = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
FIXTURE_VOTE = {"participant_id": 1, "statement_id": 0, "vote": 1, "modified": 1}


def _fixture(**changes) -> str:
    return json.dumps([{**FIXTURE_VOTE, **changes}])


BAD_FILES = {
    "short row in the wide matrix": (
        "opendata", {"participants-votes.csv": WIDE_CSV + "1,,0,2,1,1,1,-1\n2,,0\n"},
        r"line 3: 3 cells, the header has 8"),
    "statement column twice in the wide header": (
        "opendata",
        {"participants-votes.csv": WIDE_CSV.replace(",1\n", ",0\n") + "1,,0,2,1,1,1,-1\n"},
        "statement 0 has two columns in the header"),
    "voter id inf": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,inf,1\n"},
                     "line 2: expected an integer, got 'inf'"),
    "voter id 1e30": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1e30,1\n"},
                      "line 2: integer out of range, got '1e30'"),
    "voter id 2.7": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1,1\n2,,0,2.7,1\n"},
                     "line 3: expected an integer, got '2.7'"),
    "vote 0.9 is not a pass": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1,0.9\n"},
                               "line 2: expected an integer, got '0.9'"),
    "vote 1.5 is not an agree": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1,1.5\n"},
                                 "line 2: expected an integer, got '1.5'"),
    "bad vote after a blank line": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1,1\n\n1,,0,1,7\n"},
                                    "line 4: unknown vote value '7'"),
    "some votes without a timestamp": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1,1\n,,1,1,1\n"},
                                       "line 3: missing timestamp"),
    "comments.csv not UTF-8": ("opendata", {"votes.csv": VOTES_CSV + "1,,0,1,1\n",
                                            "comments.csv": b"comment-id,comment-body\n0,\xff\n"},
                               "comments.csv: not UTF-8 text"),
    "participant id 'a'": ("fixture", {"votes.json": _fixture(participant_id="a")},
                           "vote 0, participant id: expected an integer, got 'a'"),
    "participant id beyond 64 bits": ("fixture", {"votes.json": _fixture(participant_id=10**23)},
                                      "vote 0, participant id: integer out of range"),
    "participant id 1.5": ("fixture", {"votes.json": _fixture(participant_id=1.5)},
                           "expected an integer, got 1.5"),
    "vote true": ("fixture", {"votes.json": _fixture(vote=True)}, "unknown vote value True"),
    "comments.json a list of numbers": ("fixture", {"votes.json": _fixture(),
                                                    "comments.json": "[1, 2]"},
                                        "comments.json: expected a JSON list of objects"),
    "comments.json a string": ("fixture", {"votes.json": _fixture(), "comments.json": '"hi"'},
                               "comments.json: expected a JSON list of objects"),
    "comments.json with a tid twice": (
        "fixture", {"votes.json": _fixture(),
                    "comments.json": json.dumps([{"tid": 0, "txt": "a"}, {"tid": 0, "txt": "b"}])},
        "comments.json: duplicate statement id 0"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_by_reader_and_cli_with_file_and_place(tmp_path, capsys, case):
    fmt, files, message = BAD_FILES[case]
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    reader = read_fixture if fmt == "fixture" else read_opendata
    with pytest.raises(ValueError, match=message):
        reader(tmp_path)
    assert main(["cluster", str(tmp_path), "--format", fmt, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and message.replace("\\", "") in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_blank_lines_in_csv_files_are_skipped(tmp_path):
    (tmp_path / "participants-votes.csv").write_text(
        WIDE_CSV + "1,,0,2,1,1,1,-1\n\n2,,0,1,0,1,,-1\n\n\n")
    wide = read_opendata(tmp_path).matrix
    assert wide.pids.tolist() == [1, 2]
    assert wide.raw.toarray().tolist() == [[-1, 1], [0, 1]]  # internal sign
    (tmp_path / "votes.csv").write_text(VOTES_CSV + "1,,0,1,1\n\n2,,1,2,-1\n\n")
    events = read_opendata(tmp_path).matrix
    assert events.raw.nnz == 2


def test_whole_numbers_written_as_floats_are_accepted(tmp_path):
    (tmp_path / "votes.csv").write_text(VOTES_CSV + "1,,0.0,7.0,-1.0\n")
    matrix = read_opendata(tmp_path).matrix
    assert (matrix.pids.tolist(), matrix.tids.tolist()) == ([7], [0])
    assert matrix.raw.toarray().tolist() == [[1]]


@pytest.mark.parametrize(("pids", "message"), [
    (np.array(["a"], dtype=object), "participant id must be an integer"),
    (np.array([1e30]), "participant id must fit in 64 bits"),
    (np.array([True]), "participant id must be an integer"),
])
def test_vote_matrix_refuses_ids_it_cannot_hold(pids, message):
    with pytest.raises(ValueError, match=message):
        _matrix(pids, [0], [1])
