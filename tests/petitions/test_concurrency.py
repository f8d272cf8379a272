"""50 threads sign one petition at once (docs/reliability.md R2, R6, R11).

Real concurrency, on both databases: a temp-file SQLite database in WAL mode, and a database
of its own on the throwaway PostgreSQL cluster; one test client (and so one app context and
DB session) per thread, all released together by a threading.Barrier.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.mail import OutboxEmail
from petitions import areas
from petitions.models import Petition, Signature
from tests.helpers import N, in_parallel
from tests.petitions.helpers import T0, app_on_sqlite_and_postgresql, count_rows, tokens

app = app_on_sqlite_and_postgresql  # each test runs on SQLite, then on PostgreSQL
NOW = T0 + timedelta(days=1)
pytestmark = pytest.mark.frozen_clock(NOW)


def test_fifty_people_signing_at_once_are_all_counted_once(app, petition):
    before, pid = petition.signature_count, petition.id  # creator + 2 sponsors
    signed = in_parallel(app, lambda c, i: c.post(f"/petitions/{pid}/sign", data={
        "name": f"Person {i}", "email": f"person{i}@example.org", "eligible": "y",
        "area": ("North", "South")[i % 2]}))
    assert [r.status_code for r in signed] == [200] * N
    pending = tokens(petition.id)
    assert len(pending) == N
    confirmed = in_parallel(app, lambda c, i: c.post(f"/petitions/confirm/{pending[i]}"))
    assert [r.status_code for r in confirmed] == [200] * N
    db.session.expire_all()
    p = db.session.get(Petition, petition.id)
    assert p.signature_count - before == N
    assert p.signature_count == count_rows(petition.id) == before + N
    assert areas.counts(pid) == {"North": N // 2, "South": N - N // 2}  # no lost update
    # R6: the response threshold (4) was crossed once, by one of the 50 transactions.
    assert p.response_threshold_reached_at == NOW
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.subject == "Your petition needs a response")) == 1
    # ... and each official (the `people` fixture has one) was told once, in that transaction.
    assert db.session.execute(select(OutboxEmail.to, func.count(OutboxEmail.id)).where(
        OutboxEmail.subject == "A petition needs your response")
        .group_by(OutboxEmail.to)).all() == [("official@example.org", 1)]


def test_one_person_signing_fifty_times_at_once_gets_one_signature(app, petition):
    before, pid = petition.signature_count, petition.id
    spellings = ["dup@example.org", "DUP@example.org", "dup+1@example.org",
                 "d\u200bup@Example.org", "ｄｕｐ@example.org"]
    answers = in_parallel(app, lambda c, i: c.post(f"/petitions/{pid}/sign", data={
        "name": "Dup", "email": spellings[i % len(spellings)], "eligible": "y"}))
    assert {r.status_code for r in answers} == {200}
    texts = [r.get_data(as_text=True) for r in answers]
    # The signature stays pending, so every attempt is told to check their email (UK site);
    # one email goes out: the other attempts fall within the hour of the first.
    assert all("Check your email" in t and "already signed" not in t for t in texts)
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.subject == "Confirm your signature",
        OutboxEmail.to.not_like("sponsor%"))) == 1
    assert db.session.scalar(select(func.count(Signature.id)).where(
        Signature.petition_id == petition.id, Signature.canonical_email == "dup@example.org")) == 1
    (token,) = tokens(petition.id)
    clicks = in_parallel(app, lambda c, i: c.post(f"/petitions/confirm/{token}"))
    # SQLite serialises the clicks, so the losers find the token spent (404). On PostgreSQL
    # (READ COMMITTED) losers that read the row before the winner committed are told the
    # signature is confirmed, which is true. Either way the guarded UPDATE counts it once.
    assert {r.status_code for r in clicks} <= {200, 404}
    assert any(r.status_code == 200 for r in clicks)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == before + 1 \
        == count_rows(petition.id)
