"""A signature is stored with exactly what the signer gave and what signing established:
one click by a confirmed account holder is validated, linked to the account and counted in
its district at once; anyone else is pending with a fresh link; a refusal names its field
and says why (petitions/service.py `sign`, `_insert_signature`, `_count_one`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from petitions import areas, service
from petitions.lifecycle import ResponseState
from petitions.models import Signature, SignatureState
from tests.petitions.helpers import T0, reload, sponsoring

NOW = T0 + timedelta(days=2)
SIGNED_AT = NOW + timedelta(minutes=7)  # not the wall clock, which is frozen at NOW

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition, email, **given):
    kwargs = dict(name=" Sam Signer ", email=email, area=None, ip="198.51.100.7",
                  notify=False, now=SIGNED_AT, confirm_link=lambda t: f"/confirm/{t}")
    return service.sign(petition.id, **(kwargs | given))


def _row(petition, email):
    db.session.expire_all()
    return db.session.scalar(select(Signature).where(Signature.petition_id == petition.id,
                                                     Signature.email == email))


def test_one_click_is_validated_linked_to_the_account_and_counted_in_its_district(
        petition, people):
    citizen = people["citizen"]
    assert _sign(petition, citizen.email, user=citizen, area=" North ",
                 notify=True) == service.SignOutcome.COUNTED
    row = _row(petition, citizen.email)
    assert (row.state, row.user_id, row.name, row.area, row.area_code, row.token,
            row.validated_at, row.created_at, row.notify_by_email) == (
        SignatureState.VALIDATED, citizen.id, "Sam Signer", "North", "North", None,
        SIGNED_AT, SIGNED_AT, True)
    assert areas.counts(petition.id) == {"North": 1}
    # the fourth signature reaches the response threshold (4) at once
    assert reload(petition.id).signature_count == 4
    assert reload(petition.id).response_state == ResponseState.AWAITING


def test_an_email_signature_is_pending_with_a_256_bit_link_and_no_area_if_none_given(
        petition):
    assert _sign(petition, "pending@example.org") == service.SignOutcome.CONFIRMATION_SENT
    row = _row(petition, "pending@example.org")
    assert (row.state, row.user_id, row.area, row.area_code, row.validated_at) == (
        SignatureState.PENDING, None, None, None, None)
    assert row.language == "en"  # the default language outside a page
    assert len(row.token) == 43  # secrets.token_urlsafe(32)


def test_a_confirmed_link_counts_the_signature_in_its_district(petition):
    _sign(petition, "south@example.org", area="South")
    service.confirm_signature(_row(petition, "south@example.org").token, now=SIGNED_AT)
    assert areas.counts(petition.id) == {"South": 1}


def test_an_account_holder_signing_with_another_address_must_confirm_it(petition, people):
    citizen = people["citizen"]
    first = _sign(petition, "other@example.org", user=citizen)
    assert first == service.SignOutcome.CONFIRMATION_SENT
    row = _row(petition, "other@example.org")
    assert (row.state, row.user_id) == (SignatureState.PENDING, None)
    # signing again (a fresh link is sent) does not validate it either
    again = _sign(petition, "other@example.org", user=citizen,
                  now=SIGNED_AT + timedelta(hours=2))
    assert again == service.SignOutcome.CONFIRMATION_SENT
    assert _row(petition, "other@example.org").state == SignatureState.PENDING
    assert reload(petition.id).signature_count == 3


def test_a_district_not_on_the_list_is_refused_on_the_area_field(petition):
    with pytest.raises(service.InvalidSignature) as refused:
        _sign(petition, "west@example.org", area="West")
    assert (str(refused.value), refused.value.field) == ("Choose a district from the list.",
                                                         "area")
    assert _row(petition, "west@example.org") is None


def test_a_sponsoring_petition_is_signed_only_through_its_sponsor_link(scheme, people):
    draft = sponsoring(scheme, people, title="Plant trees",
                       action="Plant a tree on every street.", now=NOW)
    for token in (None, "not-the-link"):
        with pytest.raises(service.SigningClosed) as refused:
            _sign(draft, "sponsor@example.org", sponsor_token=token)
        assert str(refused.value) == "This petition is not collecting signatures."
    assert _row(draft, "sponsor@example.org") is None


def test_use_cases_run_one_after_another_in_one_session_still_stamp_each_threshold(
        petition, people):
    """As a script would call them: one-click signatures keep the petition loaded (with the
    count it had), yet the confirmation that reaches the debate threshold (6) stamps it."""
    from petitions.lifecycle import DebateState
    from tests.petitions.helpers import person

    _sign(petition, "pending@example.org")
    link = _row(petition, "pending@example.org").token
    for i in range(2):
        voter = person(f"voter{i}@example.org", f"Voter {i}")
        db.session.commit()
        _sign(petition, voter.email, user=voter)
    service.confirm_signature(link, now=SIGNED_AT)
    petition = reload(petition.id)
    assert (petition.signature_count, petition.debate_state,
            petition.debate_threshold_reached_at) == (6, DebateState.AWAITING, SIGNED_AT)
