"""Officials' pages: 403 for citizens, processes with dated phases, frozen rules, proposals
with duplicate warnings and review, paper ballots (all or nothing, errors by line), progress,
`flask budgets tick`."""
from __future__ import annotations

import io
import re

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from pb.models import Ballot, BudgetProcess, BudgetProject, Phase, ProjectStatus
from tests.pb.helpers import T0, ballots

STAFF_POSTS = ["/budgets/new", "/budgets/{id}/edit", "/budgets/{id}/phase",
               "/budgets/{id}/proposals/1/review", "/budgets/{id}/codes",
               "/budgets/{id}/eligibility", "/budgets/{id}/paper",
               "/budgets/{id}/projects/1/progress"]
STAFF_GETS = ["/budgets/new", "/budgets/{id}/edit", "/budgets/{id}/manage"]
FORM = {"title": "Riverside 2027", "description": "d", "area": "Riverside", "currency": "EUR",
        "budget": "1000", "commitment": "binding", "audience": "public",
        "vote_type": "knapsack", "min_projects": "0", "min_share_spent": "0", "rule": "mes",
        "proposals_at": "2026-05-01T09:00", "voting_at": "2026-05-20T09:00",
        "results_at": "2026-06-01T09:00"}


@pytest.mark.parametrize("path", STAFF_POSTS)
def test_staff_posts_are_forbidden_to_citizens(client, people, login_as, make_process, path):
    process = make_process("approval")
    login_as(client, people["citizen"])
    assert client.post(path.format(id=process.id), data={"target": "results"}
                       ).status_code == 403
    assert db.session.get(BudgetProcess, process.id).phase == Phase.VOTING


@pytest.mark.parametrize("path", STAFF_GETS)
def test_staff_pages_are_forbidden_to_citizens(client, people, login_as, make_process, path):
    process = make_process("approval")
    login_as(client, people["citizen"])
    assert client.get(path.format(id=process.id)).status_code == 403


def test_official_creates_a_process_and_every_page_says_what_comes_next(client, people,
                                                                        login_as):
    login_as(client, people["official"])
    assert client.post("/budgets/new", data=FORM).status_code == 302
    process = db.session.scalar(select(BudgetProcess))
    assert (process.budget, process.vote_type, process.phase) == (100_000, "knapsack",
                                                                  Phase.DRAFT)
    assert client.post(f"/budgets/{process.id}/phase", data={"target": "proposals"}
                       ).status_code == 302
    page = client.get(f"/budgets/{process.id}").data
    assert b"Phase:</strong> Proposals" in page and b"May 20, 2026 09:00" in page
    bad = dict(FORM, results_at="2026-05-10T09:00")
    assert client.post(f"/budgets/{process.id}/edit", data=bad).status_code == 422


def test_closing_the_vote_publishes_the_results_at_once(client, people, login_as,
                                                        make_process):
    process = make_process("approval", rule="greedy")
    db.session.add(Ballot(process_id=process.id, voter_key="v1", vote="1", channel="web",
                          cast_at=T0, updated_at=T0))
    db.session.commit()
    login_as(client, people["official"])
    assert b"computed when voting closes" in client.get(f"/budgets/{process.id}/results").data
    assert client.post(f"/budgets/{process.id}/phase", data={"target": "results"}
                       ).status_code == 302
    page = client.get(f"/budgets/{process.id}/results").data
    assert b"computed when voting closes" not in page and b"from 1 ballots" in page


def test_rules_are_frozen_once_voting_opened(client, people, login_as, make_process):
    process = make_process("knapsack")
    login_as(client, people["official"])
    changed = dict(FORM, budget="999", voting_at="", results_at="", proposals_at="")
    response = client.post(f"/budgets/{process.id}/edit", data=changed)
    assert response.status_code == 422 and b"frozen" in response.data
    db.session.expire_all()
    assert db.session.get(BudgetProcess, process.id).budget == 6000


def test_proposals_warn_about_duplicates_and_officials_review_them(client, people, login_as,
                                                                  make_process):
    process = make_process("approval", phase=Phase.DRAFT)
    process.move_to(Phase.PROPOSALS, now=T0)
    db.session.commit()
    login_as(client, people["citizen"])
    proposal = {"title": "Benches by the river walk", "description": "More benches by the "
                "river", "estimated_cost": "50", "location": "River walk", "category": "parks"}
    warned = client.post(f"/budgets/{process.id}/proposals/new", data=proposal)
    assert warned.status_code == 200 and b"Similar projects" in warned.data
    assert len(db.session.get(BudgetProcess, process.id).projects) == 4
    sure = client.post(f"/budgets/{process.id}/proposals/new",
                       data={**proposal, "not_a_duplicate": "y"})
    assert sure.status_code == 302
    new = db.session.scalar(select(BudgetProject).where(BudgetProject.status == "proposed"))
    assert (new.cost, new.location) == (5000, "River walk")
    login_as(client, people["official"])
    url = f"/budgets/{process.id}/proposals/{new.id}/review"
    p = f"p{new.id}-"
    assert client.post(url, data={p + "decision": "not_feasible", p + "reason": ""}
                       ).status_code == 400
    assert client.post(url, data={p + "decision": "merge", p + "merge_into": "1"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(BudgetProject, new.id).status == ProjectStatus.MERGED
    assert client.post(url, data={p + "decision": "feasible", p + "cost": "45"}
                       ).status_code == 302
    db.session.expire_all()
    project = db.session.get(BudgetProject, new.id)
    assert (project.status, project.cost) == (ProjectStatus.FEASIBLE, 4500)


def _upload(client, process, text):
    return client.post(f"/budgets/{process.id}/paper", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode()), "paper.csv")})


def test_paper_ballots_all_or_nothing_with_errors_by_line(client, people, login_as,
                                                         make_process):
    process = make_process("knapsack")
    login_as(client, people["official"])
    bad = "sheet,vote\n1,\"1,3\"\n2,\"1,2\"\n3,99\n3,4\n"
    response = _upload(client, process, bad)
    assert response.status_code == 422
    text = response.data.decode()
    assert "<td>3</td><td>Your projects cost" in text  # line 3: over budget, in euros
    assert "more than the budget of €60.00" in text
    assert "<td>4</td><td>These projects are not on this ballot: 99" in text
    assert "<td>5</td><td>missing or repeated sheet number" in text
    assert ballots(process.id) == 0
    assert _upload(client, process, "sheet,vote\n1,\"1,3\"\n2,4\n").status_code == 302
    assert ballots(process.id) == 2
    again = _upload(client, process, "sheet,vote\n2,4\n")
    assert again.status_code == 422 and ballots(process.id) == 2


def test_cumulative_paper_ballots(client, people, login_as, make_process):
    process = make_process("cumulative", points_total=5)
    login_as(client, people["official"])
    assert _upload(client, process, "sheet,vote,points\n1,\"1,2\",\"3,2\"\n"
                   ).status_code == 302
    row = db.session.scalar(select(Ballot))
    assert (row.vote, row.points) == ("1,2", "3,2")
    assert _upload(client, process, "sheet,vote,points\n2,1,-1\n").status_code == 422


def test_tick_moves_by_date_and_computes_results(app, runner, make_process, people):
    process = make_process("approval")
    db.session.add(Ballot(process_id=process.id, voter_key="u1", vote="1,2", cast_at=T0,
                          updated_at=T0))
    db.session.commit()
    with time_machine.travel(T0.replace(day=10), tick=False):
        assert "moved 0" in runner.invoke(args=["budgets", "tick"]).output
    with time_machine.travel(T0.replace(day=16), tick=False):
        output = runner.invoke(args=["budgets", "tick"]).output
    assert "voting -> results" in output and "results computed" in output
    db.session.expire_all()
    assert db.session.get(BudgetProcess, process.id).phase == Phase.RESULTS
    compute = runner.invoke(args=["budgets", "compute", str(process.id)])
    assert "1 ballots" in compute.output
    assert runner.invoke(args=["budgets", "compute", "999"]).exit_code == 2


def test_progress_is_posted_after_results_and_shown_publicly(client, people, login_as,
                                                             make_process, runner):
    process = make_process("approval", phase=Phase.RESULTS)
    db.session.add(Ballot(process_id=process.id, voter_key="u1", vote="1", cast_at=T0,
                          updated_at=T0))
    db.session.commit()
    runner.invoke(args=["budgets", "compute", str(process.id)])
    project = process.projects[0]
    login_as(client, people["official"])
    url = f"/budgets/{process.id}/projects/{project.id}/progress"
    p = f"p{project.id}-"
    assert client.post(url, data={p + "status": "in_progress", p + "percent": "140",
                                  p + "on": "2026-06-01"}).status_code == 400
    assert client.post(url, data={p + "status": "in_progress", p + "percent": "40",
                                  p + "note": "Dug", p + "on": "2026-06-01"}).status_code == 302
    assert b"p%d-percent" % project.id in client.get(f"/budgets/{process.id}/manage").data
    page = client.get(f"/budgets/{process.id}/results").data
    assert b"In progress (40%)" in page and b"Dug" in page
    assert re.search(rb"0 of \d+ funded projects are done; average progress \d+%", page)


def test_ordinal_paper_ballots_keep_the_rank_order(client, people, login_as, make_process):
    process = make_process("ordinal", rank_limit=2)
    login_as(client, people["official"])
    assert _upload(client, process, "sheet,vote\nA1,\"3,1\"\nA2,4\n").status_code == 302
    db.session.expire_all()
    rows = dict(db.session.execute(select(Ballot.voter_key, Ballot.vote)).all())
    assert rows == {"paper:A1": "3,1", "paper:A2": "4"}  # first = most preferred
    assert {b.points for b in db.session.scalars(select(Ballot))} == {None}


def test_ordinal_paper_ballots_errors_by_line_and_nothing_stored(client, people, login_as,
                                                                 make_process):
    process = make_process("ordinal", rank_limit=2)
    login_as(client, people["official"])
    bad = "sheet,vote\nB1,\"2,1\"\nB2,\"1,1\"\nB3,\"1,2,3\"\nB4,\"2,77\"\nB1,3\n"
    response = _upload(client, process, bad)
    assert response.status_code == 422
    text = response.data.decode()
    assert "<td>3</td><td>Each project may appear only once." in text
    assert "<td>4</td><td>Choose at most 2 projects." in text
    assert "<td>5</td><td>These projects are not on this ballot: 77" in text
    assert "<td>6</td><td>missing or repeated sheet number" in text
    assert "<td>2</td>" not in text  # the valid line has no error...
    assert ballots(process.id) == 0  # ...and is not stored either: all or nothing
