"""`flask budgets tick` on several machines at once (issue 13 "Scale-out"): the outcome of a
closed vote is computed under a lease, so a second tick leaves it to the first."""
from __future__ import annotations

from datetime import timedelta

from core.db import db, utcnow
from core.leases import JobLease, claim
from pb import results, voting
from tests.pb.helpers import T0


def test_a_tick_leaves_an_outcome_another_worker_is_computing(make_process, runner):
    process = make_process("approval")
    claim(f"budget:{process.id}", holder="machine-b", now=utcnow(), seconds=600)
    output = runner.invoke(args=["budgets", "tick"]).output
    assert f"process {process.id}: voting -> results" in output
    assert "being computed by another worker" in output
    assert results.stored(process.id) is None


def test_a_tick_computes_when_the_lease_is_free_and_gives_it_back(make_process, runner,
                                                                   people):
    process = make_process("approval")
    # (One ballot: MES on an empty profile raises KeyError 'rho' in results.outcome_details.)
    voting.cast(process.id, {"project": ["1"]}, now=T0 + timedelta(days=1),
                user=people["citizen"])
    # A lease left by a worker that died an hour ago has expired.
    claim(f"budget:{process.id}", holder="dead", now=utcnow() - timedelta(hours=2),
          seconds=3600)
    output = runner.invoke(args=["budgets", "tick"]).output
    assert f"process {process.id}: results computed" in output
    assert results.stored(process.id) is not None
    assert db.session.get(JobLease, f"budget:{process.id}") is None
