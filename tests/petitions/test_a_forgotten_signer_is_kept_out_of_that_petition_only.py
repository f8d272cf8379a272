"""A signer whose signature was forgotten (account deleted) cannot sign that petition a
second time, but is still welcome on every other petition (`SignerHistory.forgotten`,
petitions/signing_limits.py `signer_history`)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from accounts import service as accounts
from accounts.models import User
from core.db import db
from petitions import service
from tests.petitions.helpers import T0, open_petition, reload

NOW = T0 + timedelta(days=2)
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition, email):
    return service.sign(petition.id, name="Ana", email=email, area=None, ip=None,
                        notify=False, now=NOW, confirm_link=lambda t: t)


def test_a_forgotten_signer_may_sign_another_petition_but_not_that_one_again(scheme, people):
    other = open_petition(scheme, people, title="Signed later by the same person")
    signed = open_petition(scheme, people, title="Signed before the account was deleted")
    ana = User(email="ana@example.org", display_name="Ana", email_confirmed_at=NOW)
    ana.set_password(PASSWORD)
    db.session.add(ana)
    db.session.commit()
    assert service.sign(signed.id, name="Ana", email=ana.email, area=None, ip=None,
                        notify=False, now=NOW, user=ana,
                        confirm_link=lambda t: t) == service.SignOutcome.COUNTED
    accounts.delete_account(ana, password=PASSWORD)

    assert _sign(signed, "ana@example.org") == service.SignOutcome.ALREADY_SIGNED
    assert reload(signed.id).signature_count == 4
    assert _sign(other, "ana@example.org") == service.SignOutcome.CONFIRMATION_SENT
