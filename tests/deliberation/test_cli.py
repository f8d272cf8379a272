"""``python -m deliberation cluster`` prints Polis-shaped JSON or a readable summary."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deliberation.__main__ import main
from tests.deliberation.polis_data import POLIS_DATA, fixture_dir, gold_math

ROOT = Path(__file__).resolve().parents[2]


def test_json_has_the_keys_and_ids_of_polis_math_pca2(capsys):
    folder = fixture_dir("25ptpt-3gp-no-strict-with-meta")
    assert main(["cluster", str(folder), "--format", "fixture", "--in-conv",
                 str(folder / "math-pca2.json"), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    gold = gold_math("25ptpt-3gp-no-strict-with-meta")
    expected = {"n", "n-cmts", "tids", "in-conv", "user-vote-counts", "pca", "base-clusters",
                "group-clusters", "repness", "consensus", "group-aware-consensus",
                "comment-priorities", "group-votes", "mod-out", "meta-tids", "votes-base"}
    assert expected <= set(ours) and expected <= set(gold)
    assert set(ours["pca"]) == set(gold["pca"])
    assert set(ours["base-clusters"]) == set(gold["base-clusters"])
    assert ours["user-vote-counts"] == gold["user-vote-counts"]
    # internal sign: the centre is the mean of agree = -1 votes
    assert abs(ours["pca"]["center"][9] - gold["pca"]["center"][9]) < 1e-12
    assert ours["comment-priorities"]["0"] == 49.0  # a meta statement


def test_summary_names_groups_sizes_and_top_statements():
    out = subprocess.run(
        [sys.executable, "-m", "deliberation", "cluster", str(POLIS_DATA / "brexit-consensus")],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "204 participants, 50 statements" in out
    assert "Group 0:" in out and "Group 1:" in out
    assert "Consensus (agree):" in out


def _cluster_json(capsys, *args: str) -> dict:
    assert main(["cluster", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_in_conv_from_a_previous_math_json_keeps_its_participants_clustered(capsys):
    # Four of Polis's in-conv participants no longer have the votes to qualify (§3 sticky).
    folder = fixture_dir("below-100-ptpts")
    gold = gold_math("below-100-ptpts")
    cold = _cluster_json(capsys, str(folder), "--format", "fixture")
    assert {5, 10, 11, 14}.isdisjoint(cold["in-conv"])
    ours = _cluster_json(capsys, str(folder), "--format", "fixture", "--in-conv",
                         str(folder / "math-pca2.json"))
    assert ours["in-conv"] == sorted(gold["in-conv"])


def test_in_conv_as_a_plain_json_list_of_participant_ids(tmp_path, capsys):
    folder = fixture_dir("below-100-ptpts")
    sticky = tmp_path / "in-conv.json"
    sticky.write_text("[10, 14]")
    cold = _cluster_json(capsys, str(folder), "--format", "fixture")
    ours = _cluster_json(capsys, str(folder), "--format", "fixture", "--in-conv", str(sticky))
    assert ours["in-conv"] == sorted([*cold["in-conv"], 10, 14])


def test_a_malformed_in_conv_file_is_refused(tmp_path, capsys):
    sticky = tmp_path / "in-conv.json"
    sticky.write_text('["ten"]')
    assert main(["cluster", str(fixture_dir("below-100-ptpts")), "--format", "fixture",
                 "--in-conv", str(sticky)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
