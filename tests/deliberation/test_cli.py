"""``python -m deliberation cluster`` prints Polis-shaped JSON or a readable summary."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deliberation.__main__ import main
from tests.deliberation.conftest import POLIS_DATA, fixture_dir, gold_math

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
