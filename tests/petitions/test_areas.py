"""Signatures per area: counters that move with every counted, confirmed or invalidated
signature, published on the petition page and in the open data, repaired by reconcile."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import inspect, select, update

from core.db import db
from petitions import areas, moderation, service
from petitions.models import AreaCount
from tests.petitions.helpers import T0, sign_and_confirm

NOW = T0 + timedelta(days=2)
BEFORE_COUNTERS = "28c3a27fdf29"


pytestmark = pytest.mark.frozen_clock(NOW)


def test_each_counted_signature_moves_its_areas_counter(client, login_as, people, petition):
    sign_and_confirm(petition.id, "n1@example.org", area="North", ip="198.51.100.1", now=NOW)
    sign_and_confirm(petition.id, "n2@example.org", area="North", ip="198.51.100.2", now=NOW)
    sign_and_confirm(petition.id, "s1@example.org", area="South", ip="203.0.113.5", now=NOW)
    service.sign(petition.id, name="Pat", email="pending@example.org", area="South",
                 ip="198.51.100.9", notify=False, now=NOW, confirm_link=str)  # never confirmed
    login_as(client, people["citizen"])  # one click, from the South
    client.post(f"/petitions/{petition.id}/sign", data={"eligible": "y", "area": "South"})
    assert areas.counts(petition.id) == {"North": 2, "South": 2}

    record = client.get(f"/petitions/{petition.id}.json").get_json()
    assert record["signatures_by_area"] == {"North": 2, "South": 2}
    page = client.get(f"/petitions/{petition.id}").get_data(True)
    assert "Signatures by area" in page and "South" in page

    criteria = moderation.InvalidationCriteria(petition_id=petition.id, ip="203.0.113.5")
    assert moderation.invalidate(criteria, actor=people["moderator"], now=NOW) == 1
    assert areas.counts(petition.id) == {"North": 2, "South": 1}


def test_reconcile_repairs_drifted_area_counters(runner, petition):
    sign_and_confirm(petition.id, "n1@example.org", area="North", now=NOW)
    db.session.execute(update(AreaCount).values(signatures=AreaCount.signatures + 40))
    db.session.add(AreaCount(petition_id=petition.id, area_code="Nowhere", signatures=3))
    db.session.commit()
    assert areas.counts(petition.id) == {"North": 41, "Nowhere": 3}
    runner.invoke(args=["petitions", "reconcile"])
    db.session.expire_all()
    assert areas.counts(petition.id) == {"North": 1}
    assert db.session.scalar(select(AreaCount).where(AreaCount.area_code == "Nowhere")) is None


def test_the_migration_fills_the_counters_from_existing_signatures(app, petition):
    sign_and_confirm(petition.id, "n1@example.org", area="North", ip="198.51.100.1", now=NOW)
    sign_and_confirm(petition.id, "s1@example.org", area="South", ip="198.51.100.2", now=NOW)
    service.sign(petition.id, name="Pat", email="pending@example.org", area="South",
                 ip="198.51.100.9", notify=False, now=NOW, confirm_link=str)
    db.session.commit()
    stamp()  # the test database was built from the models: mark it as at the newest revision
    downgrade(revision=BEFORE_COUNTERS)  # drops the counters; the signatures stay
    assert "petition_area_counts" not in inspect(db.engine).get_table_names()
    upgrade()
    assert areas.counts(petition.id) == {"North": 1, "South": 1}
