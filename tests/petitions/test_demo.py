"""The demo seed: two schemes and a petition in every state, safe to run twice."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from core.db import db
from petitions import demo, jobs
from petitions.models import Petition, PetitionScheme
from tests.petitions.helpers import T0


def test_the_demo_has_every_state_and_survives_a_second_run(app, people, runner):
    users = {"citizen": people["creator"], "moderator": people["moderator"],
             "facilitator": people["citizen"], "official": people["official"],
             "admin": people["admin"]}
    demo.seed(users, T0)
    demo.seed(users, T0)
    schemes = db.session.scalars(select(PetitionScheme)).all()
    assert sorted(s.title for s in schemes) == sorted([demo.JOIN, demo.UK])
    petitions = db.session.scalars(select(Petition)).all()
    states = Counter(str(p.state) for p in petitions)
    assert set(states) == {"sponsoring", "awaiting_moderation", "open", "closed", "rejected"}
    responses = Counter(str(p.response_state) for p in petitions)
    assert responses["awaiting"] == 2 and responses["responded"] == 1
    overdue = [p for p in petitions if p.response_due_at and p.responded_at is None
               and p.response_due_at < T0]
    assert len(overdue) == 1
    assert jobs.reconcile(now=T0 + timedelta(seconds=1)) == []  # counters match rows


def test_the_scheduler_commands_use_the_real_clock(runner, petition):
    # The fixture petition opened in March 2026 for 30 days: by now it has ended.
    assert "closed 1 petition(s)" in runner.invoke(args=["petitions", "tick"]).output
    assert "closed 0 petition(s)" in runner.invoke(args=["petitions", "tick"]).output
    result = runner.invoke(args=["petitions", "anonymise", "--after-days", "0"])
    assert "anonymised 1 petition(s)" in result.output
    assert "anonymised 0 petition(s)" in runner.invoke(args=["petitions", "anonymise"]).output
