"""Results from the database equal pb.rules on the same ballots; pabulib import → export →
`python -m pb outcome` gives the same outcome; the CLI; the results page and JSON."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import db
from pb import results
from pb.ballots import Choice
from pb.instance import Ballot as EngineBallot
from pb.instance import Instance, Profile, Project
from pb.models import Ballot, BudgetProcess, BudgetProject, Phase
from pb.pabulib import read_pabulib
from pb.rules import RULES
from tests.pb.helpers import PROJECTS, T0

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "pabulib"
SMALL = ["poland_warszawa_2019_las.pb", "poland_gdansk_2020_wzgorze-mickiewicza.pb",
         "poland_krakow_2018_wzgorza-krzeslawickie.pb", "france_toulouse_2019_.pb",
         "poland_warszawa_2021_ursus.pb", "poland_wieliczka_2023_green-budget.pb",
         "synthetic_scoring.pb"]
LARGE = ["poland_lodz_2022_.pb", "poland_wroclaw_2015_up-to-150.pb"]


def _store_ballots(process, choices):
    db.session.add_all(Ballot(process_id=process.id, voter_key=f"u{k}",
                              vote=c.encode()[0], points=c.encode()[1], cast_at=T0,
                              updated_at=T0) for k, c in enumerate(choices))
    db.session.commit()


@pytest.mark.parametrize("rule", ["mes", "greedy", "phragmen"])
def test_results_equal_pb_rules_on_the_same_ballots(app, make_process, rule):
    process = make_process("approval", rule=rule, budget=600_000)
    rng = random.Random(5)
    choices = [Choice(tuple(sorted(rng.sample("1234", rng.randint(1, 3)))))
               for _ in range(40)]
    _store_ballots(process, choices)
    result = results.compute(process.id, now=T0)
    # the same election built by hand, in currency units (cents / 100)
    instance = Instance(meta={"budget": "6000", "vote_type": "approval"},
                        projects=tuple(Project(pid, cost // 100)
                                       for pid, _n, cost, _c in PROJECTS))
    profile = Profile.from_ballots([EngineBallot(str(k), c.projects)
                                    for k, c in enumerate(choices)])
    options = {"utility": "cost", "completion": "add1u"} if rule == "mes" else {}
    expected = RULES[rule](instance, profile, **options)
    assert result.selected == list(expected.selected)
    assert result.cost == expected.cost * 100
    assert (result.rule, result.ballot_count) == (rule, 40)
    assert result.details["greedy"]["selected"] == list(RULES["greedy"](instance,
                                                                          profile).selected)


def test_results_page_and_json(client, app, make_process):
    process = make_process("knapsack", phase=Phase.RESULTS)
    _store_ballots(process, [Choice(("1", "2")), Choice(("3",)), Choice(("1", "4"))])
    assert b"computed when voting closes" in client.get(f"/budgets/{process.id}/results").data
    results.compute(process.id, now=T0)
    page = client.get(f"/budgets/{process.id}/results")
    assert page.status_code == 200
    assert b"Method of Equal Shares" in page.data and b"pb-chart-data" in page.data
    assert b"<script>" not in page.data  # CSP: no inline script
    data = client.get(f"/budgets/{process.id}.json").get_json()
    assert data["vote_type"] == "knapsack" and data["budget"] == "60"
    assert data["results"]["rule"] == "mes"
    assert set(data["results"]["selected"]) <= {"1", "2", "3", "4"}
    assert [p["id"] for p in data["projects"]] == ["1", "2", "3", "4"]
    assert "email" not in json.dumps(data)
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and js.mimetype == "text/javascript"


def _roundtrip(app, runner, tmp_path, name, rule="mes"):
    args = ["--rule", rule] + (["--completion", "add1u"] if rule == "mes" else [])
    imported = runner.invoke(args=["budgets", "import", str(SHARED / name), *args])
    assert imported.exit_code == 0, imported.output
    process_id = int(imported.output.strip().splitlines()[-1].removeprefix("process "))
    client = app.test_client()
    exported = client.get(f"/budgets/{process_id}/export.pb")
    assert exported.status_code == 200
    out = tmp_path / "export.pb"
    out.write_bytes(exported.data)

    def outcome(path):
        run = subprocess.run([sys.executable, "-m", "pb", "outcome", str(path), "--json",
                              *args], capture_output=True, text=True, cwd=ROOT, check=True)
        return {k: v for k, v in json.loads(run.stdout).items() if k != "seconds"}

    original = outcome(SHARED / name)
    assert outcome(out) == original
    assert sorted(results.stored(process_id).selected) == original["selected"]
    return exported.data


@pytest.mark.skipif(not SHARED.exists(), reason="shared pabulib files missing")
@pytest.mark.parametrize("name", SMALL)
def test_pabulib_import_export_same_outcome(app, runner, tmp_path, name):
    data = _roundtrip(app, runner, tmp_path, name)
    header = data.split(b"VOTES\n", 1)[1].split(b"\n", 1)[0]
    assert b"age" not in header and b"sex" not in header  # no voter metadata


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.exists(), reason="shared pabulib files missing")
@pytest.mark.parametrize("name", LARGE)
def test_pabulib_import_export_same_outcome_large(app, runner, tmp_path, name):
    _roundtrip(app, runner, tmp_path, name, rule="greedy")


def test_a_bad_file_creates_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;100\nvote_type;approval\nnum_projects;1\n"
                   "num_votes;1\nPROJECTS\nproject_id;cost\n1;-5\nVOTES\nvoter_id;vote\n1;1\n")
    result = runner.invoke(args=["budgets", "import", str(bad)])
    assert result.exit_code == 2
    assert "bad.pb:9:" in result.output
    assert db.session.scalar(select(func.count(BudgetProcess.id))) == 0
    assert db.session.scalar(select(func.count(BudgetProject.id))) == 0


def test_money_stays_exact(app, runner, tmp_path):
    file = tmp_path / "cents.pb"
    file.write_text("META\nkey;value\nbudget;100.50\nvote_type;approval\ncurrency;EUR\n"
                    "num_projects;2\nnum_votes;2\nPROJECTS\nproject_id;cost\na;60.25\nb;40.25\n"
                    "VOTES\nvoter_id;vote\n1;a\n2;a,b\n")
    result = runner.invoke(args=["budgets", "import", str(file)])
    assert result.exit_code == 0, result.output
    process = db.session.get(BudgetProcess, 1)
    assert process.budget == 10050 and [p.cost for p in process.projects] == [6025, 4025]
    exported = app.test_client().get("/budgets/1/export.pb").data.decode()
    instance, _profile = read_pabulib_text(tmp_path, exported)
    assert str(instance.budget) == "201/2" and instance.projects[0].cost * 4 == 241


def read_pabulib_text(tmp_path, text):
    path = tmp_path / "again.pb"
    path.write_text(text)
    return read_pabulib(path)
