"""A process that closes with no ballots at all (issue 11): `flask budgets tick` and
`flask budgets compute ID` store an empty result for every rule instead of crashing, and
the results page says that no ballots were cast."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from pb import results
from pb.models import BudgetResult, Phase
from tests.pb.helpers import T0


@pytest.mark.parametrize("rule", ["mes", "greedy", "phragmen"])
def test_compute_with_no_ballots_funds_nothing(app, runner, make_process, rule):
    process = make_process("approval", phase=Phase.RESULTS, rule=rule)
    output = runner.invoke(args=["budgets", "compute", str(process.id)])
    assert output.exception is None, output.output
    result = db.session.get(BudgetResult, results.stored(process.id).id)
    assert (result.selected, result.cost, result.ballot_count) == ([], 0, 0)
    assert result.details["greedy"]["selected"] == []
    assert result.details["no_ballots"] is True


def test_tick_closes_an_empty_vote_and_the_page_says_so(app, runner, client, make_process):
    process = make_process("knapsack")  # MES + add1u, voting phase, no ballot cast
    process.results_at = T0 + timedelta(days=2)  # long past on the real clock tick uses
    db.session.commit()
    output = runner.invoke(args=["budgets", "tick"])
    assert output.exception is None, output.output
    assert f"process {process.id}: results computed" in output.output
    db.session.expire_all()
    stored = results.stored(process.id)
    assert stored.selected == [] and stored.ballot_count == 0
    page = client.get(f"/budgets/{process.id}/results")
    assert page.status_code == 200
    assert b"No ballots were cast" in page.data
