"""Voting closes exactly when results are due, a ballot outside the voting phase is refused
naming the phase, a process counts only its own ballots, and its ballot offers only its own
feasible projects at their own cost (killed issue-15 mutation survivors in pb/voting.py
`voting_open`, `review`, `ballot_count` and `ballot_costs`)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from pb import voting
from pb.models import BudgetProject, Phase, ProjectStatus
from tests.pb.helpers import T0

NOW = T0.replace(day=3)


def test_voting_is_open_until_the_moment_results_are_due(app, make_process):
    process = make_process("approval")
    closes = process.results_at
    assert voting.voting_open(process, closes - timedelta(microseconds=1)) is True
    assert voting.voting_open(process, closes) is False


def test_a_ballot_after_voting_is_refused_naming_the_phase(app, make_process):
    process = make_process("approval", phase=Phase.RESULTS)
    with pytest.raises(voting.VotingClosed) as refused:
        voting.review(process, {"project": ["1"]}, now=NOW)
    assert refused.value.args == (Phase.RESULTS,)


def test_a_process_counts_only_its_own_ballots(app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    voting.cast(first.id, {"project": ["1"]}, now=NOW, user=people["citizen"])
    voting.cast(second.id, {"project": ["2"]}, now=NOW, user=people["citizen"])
    voting.cast(second.id, {"project": ["2"]}, now=NOW, user=people["other"])
    assert (voting.ballot_count(first.id), voting.ballot_count(second.id)) == (1, 2)


def test_the_ballot_offers_only_this_processs_feasible_projects(app, make_process):
    first, second = make_process("approval"), make_process("approval")
    second.projects.append(BudgetProject(project_id="9", name="Elsewhere", cost=500,
                                         category="parks"))
    first.projects[3].status = ProjectStatus.NOT_FEASIBLE
    db.session.commit()
    assert voting.ballot_costs(first) == {"1": 4000, "2": 3000, "3": 2000}


def test_a_paper_file_whose_first_column_is_not_exactly_sheet_is_refused(app, people,
                                                                         make_process):
    process = make_process("approval")
    with pytest.raises(voting.PaperErrors) as refused:
        voting.import_paper(process.id, "Xsheet,vote\n7,1\n", actor=people["official"],
                            now=NOW)
    assert refused.value.errors == [(1, "the header must name the columns sheet and vote")]


def test_an_account_that_gave_no_area_is_refused_by_any_area_limit(app, people, make_process):
    process = make_process("approval")
    process.eligible_areas = ["XXXX"]
    db.session.commit()
    assert voting.ineligibility(process, people["citizen"]) == "area"


def test_voting_again_after_erasure_replaces_the_old_ballot_of_this_process_only(
        app, people, make_process):
    from accounts import service as accounts
    from accounts.models import User

    first, second = make_process("approval"), make_process("approval")
    citizen = people["citizen"]
    for process in (first, second):
        voting.cast(process.id, {"project": ["1"]}, now=NOW, user=citizen)
    citizen.set_password("correct horse battery staple")
    db.session.commit()
    accounts.delete_account(citizen, password="correct horse battery staple")
    again = User(email="cit@example.org", display_name="again", email_confirmed_at=T0)
    db.session.add(again)
    db.session.commit()
    voting.cast(first.id, {"project": ["2"]}, now=NOW, user=again)
    assert (voting.ballot_count(first.id), voting.ballot_count(second.id)) == (1, 1)
