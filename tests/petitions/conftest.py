"""Petition fixtures: an app without signing limits, a small scheme, an open petition.

The shared `app` fixture keeps our own signing limits at their EP defaults (1 per IP per
minute), which would mark every second test-client signature fraudulent; tests about those
limits build their own app with `limited_app`.
"""
from __future__ import annotations

import pytest
import time_machine

from core.db import db as _db
from core.process import Commitment
from petitions import moderation
from tests.helpers import make_app
from tests.petitions.helpers import SMALL_RULES, T0, open_petition, person


@pytest.fixture(autouse=True)
def frozen_clock(request):
    """Modules marked ``pytest.mark.frozen_clock(NOW)`` run each test (and its fixtures) with
    the clock stopped at NOW: views, the outbox and the lifecycle all read it."""
    marker = request.node.get_closest_marker("frozen_clock")
    if marker is None:
        yield
        return
    with time_machine.travel(marker.args[0], tick=False):
        yield


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, PETITIONS_SIGNING_LIMITS=False, SERVER_NAME="civic.test")
    with app.app_context():
        yield app
        _db.session.remove()


@pytest.fixture
def people(app):
    people = {
        "creator": person("creator@example.org", "Charlie Creator"),
        "moderator": person("mod@example.org", "Mo Moderator", ("moderator",)),
        "official": person("official@example.org", "Olu Official", ("official",)),
        "admin": person("admin@example.org", "Ada Admin", ("admin",)),
        "citizen": person("citizen@example.org", "Cit Izen"),
    }
    _db.session.commit()
    return people


@pytest.fixture
def scheme(app, people):
    return moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="Small UK-like", authority="Council",
        description="", commitment=Commitment.ADVISORY, moderation_sla_days=14,
        area_kind="district", area_choices="North\nSouth", eligibility_text="", **SMALL_RULES)


@pytest.fixture
def petition(scheme, people):
    return open_petition(scheme, people)


