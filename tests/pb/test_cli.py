"""The engine CLI: ``python -m pb outcome`` and ``python -m pb info``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pb.__main__ import _json_string, _terminal_columns, main
from tests.pb.elections import SHARED_PABULIB

LAS = str(SHARED_PABULIB / "poland_warszawa_2019_las.pb")
GDANSK = str(SHARED_PABULIB / "poland_gdansk_2020_wzgorze-mickiewicza.pb")


def test_outcome_json_has_sorted_ids_exact_cost_and_time(capsys):
    assert main(["outcome", GDANSK, "--rule", "mes", "--utility", "points", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"selected", "cost", "seconds"}
    assert printed["selected"] == sorted(printed["selected"])
    assert isinstance(printed["cost"], str) and int(printed["cost"]) <= 212000
    assert printed["seconds"] >= 0


@pytest.mark.parametrize("text", ["17", "", "a b", 'say "hi"', "back\\slash", "tab\there",
                                  "\x7f", "Łódź", "\u2028", "1/3", "12.5"])
def test_json_strings_are_what_json_dumps_writes(text):
    # --json writes plain ids without importing json; anything else goes through json.dumps
    assert _json_string(text) == json.dumps(text)


def test_help_is_as_wide_as_shutil_says(monkeypatch):
    # the help formatter finds the width itself: shutil is not imported at every start
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    assert _terminal_columns() == shutil.get_terminal_size().columns


def test_outcome_table_lists_projects_and_coverage(capsys):
    assert main(["outcome", LAS, "--rule", "greedy"]) == 0
    out = capsys.readouterr().out
    assert "Kosze na śmieci" in out
    assert "total 120905 of 120905" in out
    assert "of voters have a funded project" in out


def test_info_prints_meta_and_ballot_statistics(capsys):
    assert main(["info", LAS]) == 0
    out = capsys.readouterr().out
    assert "vote_type" in out and "approval" in out
    assert "voters: 127" in out
    assert "fully funded" in out


def test_a_rule_that_does_not_fit_the_vote_type_is_a_clear_error(capsys):
    assert main(["outcome", GDANSK, "--rule", "phragmen"]) == 2
    assert "phragmen needs approval ballots" in capsys.readouterr().err


def test_a_broken_file_is_a_clear_error(tmp_path, capsys):
    broken = tmp_path / "broken.pb"
    broken.write_text("META\nkey;value\nbudget;10\n")
    assert main(["info", str(broken)]) == 2
    assert "broken.pb:" in capsys.readouterr().err


QUIRKY = """META
key;value
budget;100
vote_type;approval
num_votes;3
PROJECTS
project_id;cost
1;60
2;50
VOTES
voter_id;vote
a;1,1
b;2,2
"""


def test_repairs_are_warned_on_stderr_and_refused_with_strict(tmp_path, capsys):
    path = tmp_path / "quirky.pb"
    path.write_text(QUIRKY)
    assert main(["outcome", str(path), "--rule", "greedy", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["selected"] == ["1"]
    assert captured.err.splitlines() == [
        "quirky.pb:5: warning: META num_votes is 3 but the section has 2 rows; the rows count "
        "(1 time)",
        "quirky.pb:12: warning: voter a: a project appears twice in vote '1,1'; counted once "
        "(2 times)",
    ]
    assert main(["outcome", str(path), "--rule", "greedy", "--strict"]) == 2
    assert capsys.readouterr().err == (
        "error: quirky.pb:12: voter a: a project appears twice in vote '1,1'\n")
    assert main(["info", str(path), "--strict"]) == 2


def test_the_outcome_command_imports_neither_scipy_nor_dataframe_libraries():
    import subprocess
    import sys

    probe = ("import sys; import pb.__main__ as m; m.main(sys.argv[1:]);"
             "print(sorted(n for n in ('scipy', 'sklearn', 'pandas', 'pyarrow', 'polars', 'flask')"
             " if n in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe, "outcome", LAS, "--rule", "mes", "--json"],
                         capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"


def _modules_loaded_by_outcome(path: str, rule: str) -> tuple[set[str], dict]:
    """Run ``python -m pb outcome PATH --rule RULE --json`` in a new process; the top-level
    modules it loaded and its JSON."""
    root = Path(__file__).resolve().parents[2]
    probe = ("import os, runpy, sys, json\n"
             "os._exit = sys.exit  # the command ends with os._exit; look at sys.modules after\n"
             f"sys.argv = ['pb', 'outcome', {path!r}, '--rule', {rule!r}, '--completion', "
             "'add1u', '--json']\n"
             "try:\n    runpy.run_module('pb', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(root),
                                                         "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    outcome, modules = result.stdout.strip().splitlines()
    return set(json.loads(modules)), json.loads(outcome)


def test_single_choice_mes_starts_without_numpy(tmp_path):
    # one project per ballot: MES answered in closed form, without numpy (or gmpy2) imported;
    # the same selection as the numpy rule, which another rule on the same file still loads
    text = ("META\nkey;value\nbudget;100\nvote_type;choose-1\nPROJECTS\nproject_id;cost\n"
            "a;40\nb;36\nc;40\nVOTES\nvoter_id;vote;age\n"
            + "".join(f"{i};{p};3{i}\n" for i, p in enumerate("aaaaabbbcc")))
    path = tmp_path / "single.pb"
    path.write_text(text, encoding="utf-8")
    modules, outcome = _modules_loaded_by_outcome(str(path), "mes")
    assert not modules & {"numpy", "gmpy2", "shutil", "dataclasses", "inspect"}, modules
    assert outcome["selected"] == ["a", "b"] and outcome["cost"] == "76"
    modules, _ = _modules_loaded_by_outcome(str(path), "greedy")
    assert "numpy" in modules  # the probe would notice numpy


def test_the_command_prints_everything_and_its_exit_code_before_leaving_with_os_exit():
    # `python -m pb` ends with os._exit (no teardown): output piped to a file must be complete
    root = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "pb", "outcome", LAS, "--rule", "greedy"],
                          cwd=root, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "Kosze na śmieci" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("total 120905 of 120905;")
    failed = subprocess.run([sys.executable, "-m", "pb", "outcome", LAS + ".missing", "--rule",
                             "greedy"], cwd=root, capture_output=True, text=True, timeout=120,
                            env=env)
    assert failed.returncode == 2 and failed.stderr.startswith("error: ")
