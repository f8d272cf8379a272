"""Budget fixtures: people with roles and processes of each vote type in their voting phase."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db as _db
from core.process import Audience, Commitment
from pb.models import BudgetProcess, BudgetProject, Phase
from tests.pb.helpers import PROJECTS, T0


def _person(email, roles=()):
    from accounts.models import User, UserRole

    user = User(email=email, display_name=email.split("@")[0], email_confirmed_at=T0,
                role_rows=[UserRole(role=str(r)) for r in roles])
    _db.session.add(user)
    return user


@pytest.fixture
def people(app):
    people = {"citizen": _person("cit@example.org"), "other": _person("other@example.org"),
              "official": _person("off@example.org", ("official",)),
              "admin": _person("adm@example.org", ("admin",))}
    _db.session.commit()
    return people


@pytest.fixture
def make_process(app, people):
    """make_process(vote_type="knapsack", phase=VOTING, audience=PUBLIC, **rules) in cents."""

    def make(vote_type="knapsack", *, phase=Phase.VOTING, audience=Audience.PUBLIC,
             budget=6000, **rules):
        process = BudgetProcess(title=f"{vote_type} budget", commitment=Commitment.BINDING,
                                audience=audience, owner_id=people["official"].id,
                                currency="EUR", voting_at=T0,
                                results_at=T0 + timedelta(days=14))
        process.set_rules(budget=budget, vote_type=vote_type, **rules)
        process.projects = [BudgetProject(project_id=pid, name=name, cost=cost, category=cat)
                            for pid, name, cost, cat in PROJECTS]
        _db.session.add(process)
        if phase != Phase.DRAFT:
            process.move_to(Phase.VOTING, now=T0)
        if phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
            process.move_to(Phase.RESULTS, now=T0 + timedelta(days=14))
        _db.session.commit()
        return process

    return make

