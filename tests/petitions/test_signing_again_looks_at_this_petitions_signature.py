"""Signing a petition again is answered from the signer's row on *this* petition: someone
who signed another petition long ago and is still unconfirmed here gets a fresh link, not
"already signed" (killed issue-15 mutation survivor in petitions/service.py `_sign_again`)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from petitions import service
from tests.petitions.helpers import T0, open_petition, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(pid, email, now):
    return service.sign(pid, name="Sam", email=email, area=None, ip=None, notify=False,
                        now=now, confirm_link=lambda t: f"/c/{t}")


def test_an_unconfirmed_signer_here_gets_a_new_link_despite_a_signature_elsewhere(people,
                                                                                   scheme):
    earlier = open_petition(scheme, people, title="An earlier petition")
    sign_and_confirm(earlier.id, "sam@example.org", now=NOW)
    petition = open_petition(scheme, people, title="Today's petition")
    assert _sign(petition.id, "sam@example.org", NOW) == service.SignOutcome.CONFIRMATION_SENT
    later = NOW + timedelta(hours=2)
    assert _sign(petition.id, "sam@example.org", later) == service.SignOutcome.CONFIRMATION_SENT
    assert _sign(earlier.id, "sam@example.org", later) == service.SignOutcome.ALREADY_SIGNED
