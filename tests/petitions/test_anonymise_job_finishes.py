"""`flask petitions anonymise` blanks every signer of a petition that ended long ago, batch
after batch, and then stops. A regression that leaves an email behind used to make the job
select the same batch for ever (the suite ran 880 s on one test): here it fails within a
short time limit, with this test's name."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from petitions import jobs
from petitions.models import Signature
from tests.petitions.helpers import T0, count_rows, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.mark.timeout(30)
def test_anonymise_blanks_every_signer_in_batches_and_stops(people, scheme):
    petition = open_petition(scheme, people)  # creator + 2 sponsors
    for i in range(4):
        sign_and_confirm(petition.id, f"signer{i}@example.org", name=f"Signer {i}", now=NOW)
    jobs.tick(now=petition.closes_at)
    counted = reload(petition.id).signature_count
    assert counted == count_rows(petition.id) == 7

    after = petition.closes_at + timedelta(days=184)
    assert jobs.anonymise(now=after, after_days=183, batch_size=2) == [petition.id]

    rows = db.session.execute(select(Signature.email, Signature.name, Signature.ip)
                              .where(Signature.petition_id == petition.id)).all()
    assert rows and set(rows) == {("", "", None)}
    p = reload(petition.id)
    assert p.anonymised_at is not None and p.signature_count == counted
    assert jobs.anonymise(now=after, after_days=183, batch_size=2) == []
