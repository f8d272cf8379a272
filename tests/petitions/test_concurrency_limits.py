"""Count-then-insert limits hold under 50 parallel requests on SQLite and PostgreSQL (issue
13, finding 8): the per-IP and per-domain signing limits and the confirmation-email cap lock
the petition row (and, on PostgreSQL, the address) before counting; 50 parallel clicks on one
confirmation link tell exactly one click "confirmed"."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.mail import OutboxEmail
from petitions.models import Petition, Signature, SignatureState
from tests.helpers import N, in_parallel
from tests.petitions.helpers import T0, app_on_sqlite_and_postgresql, count_rows, tokens

app = app_on_sqlite_and_postgresql  # each test runs on SQLite, then on PostgreSQL
NOW = T0 + timedelta(days=1)
pytestmark = pytest.mark.frozen_clock(NOW)


def _states(pid, *, since):
    rows = db.session.execute(select(Signature.state, func.count(Signature.id)).where(
        Signature.petition_id == pid, Signature.id > since).group_by(Signature.state)).all()
    return dict(rows)


def _last_id():
    return db.session.scalar(select(func.max(Signature.id))) or 0


def test_the_per_ip_limit_holds_for_fifty_parallel_signatures(app, petition):
    app.config["PETITIONS_SIGNING_LIMITS"] = {"ip_burst": 1, "ip_sustained": 5,
                                              "domain_per_hour": 10_000}
    pid, since = petition.id, _last_id()
    answers = in_parallel(app, lambda c, i: c.post(f"/petitions/{pid}/sign", data={
        "name": f"Person {i}", "email": f"person{i}@example.org", "eligible": "y"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"}))
    assert {r.status_code for r in answers} == {200}
    assert _states(pid, since=since) == {SignatureState.PENDING: 1,
                                         SignatureState.FRAUDULENT: N - 1}


def test_the_per_domain_limit_holds_for_fifty_parallel_signatures(app, petition):
    app.config["PETITIONS_SIGNING_LIMITS"] = {"ip_burst": 1000, "ip_sustained": 1000,
                                              "domain_per_hour": 3}
    pid, since = petition.id, _last_id()
    answers = in_parallel(app, lambda c, i: c.post(f"/petitions/{pid}/sign", data={
        "name": f"Person {i}", "email": f"person{i}@spam.example", "eligible": "y"},
        environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"}))
    assert {r.status_code for r in answers} == {200}
    assert _states(pid, since=since) == {SignatureState.PENDING: 3,
                                         SignatureState.FRAUDULENT: N - 3}


def test_the_confirmation_email_cap_holds_across_parallel_petitions(app, scheme, people,
                                                                    petition):
    """One address signs 50 petitions at once: at most 3 confirmation emails in the hour."""
    from tests.petitions.helpers import open_petition

    pids = [petition.id] + [open_petition(scheme, people, title=f"Petition {i}").id
                            for i in range(9)]
    before = db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.to == "busy@example.org"))
    answers = in_parallel(app, lambda c, i: c.post(f"/petitions/{pids[i % 10]}/sign", data={
        "name": "Busy", "email": "busy@example.org", "eligible": "y"}))
    assert {r.status_code for r in answers} == {200}
    sent = db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.to == "busy@example.org"))
    assert sent - before == 3


def test_fifty_clicks_on_one_link_tell_one_confirmed(app, petition):
    pid = petition.id
    before = petition.signature_count
    client = app.test_client()
    client.post(f"/petitions/{pid}/sign", data={"name": "Once", "email": "once@example.org",
                                                "eligible": "y"})
    (token,) = tokens(pid)
    clicks = in_parallel(app, lambda c, i: c.post(f"/petitions/confirm/{token}"))
    confirmed = [r for r in clicks if "has been confirmed" in r.get_data(as_text=True)]
    assert len(confirmed) == 1
    assert sorted(r.status_code for r in clicks) == [200] + [404] * (N - 1)
    db.session.expire_all()
    assert db.session.get(Petition, pid).signature_count == before + 1 == count_rows(pid)
