"""The confirmation email and its link: the exact text (a sponsor's email does not name the
unapproved petition), a link valid for exactly seven days and spent by one click, a fresh
link when signing again an hour later, and a log line naming the row whenever an email is
held back (petitions/service.py `_queue_confirmation`, `confirm_signature`, `_sign_again`,
`_resend_confirmation`, `_log_unsent`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.mail import OutboxEmail
from petitions import service
from petitions.identity import SigningLimits
from petitions.models import Signature, SignatureState
from tests.petitions.helpers import T0, reload, sponsoring

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(petition_id, email, *, now=NOW, **given):
    return service.sign(petition_id, name="Sam", email=email, area=None,
                        ip=given.pop("ip", None), notify=False, now=now,
                        confirm_link=lambda t: f"https://civic.test/c/{t}", **given)


def _row(petition_id, email):
    db.session.expire_all()
    return db.session.scalar(select(Signature).where(Signature.petition_id == petition_id,
                                                     Signature.email == email))


def _bodies(to):
    return db.session.scalars(select(OutboxEmail.body).where(OutboxEmail.to == to)
                              .order_by(OutboxEmail.id)).all()


def test_the_email_to_a_signer_names_the_petition_and_carries_the_link(petition):
    _sign(petition.id, "sam@example.org")
    token = _row(petition.id, "sam@example.org").token
    assert _bodies("sam@example.org") == [
        "Click this link to confirm your signature on “Fix the potholes on Mill Lane”: "
        f"https://civic.test/c/{token}"]


def test_the_email_to_a_sponsor_does_not_name_the_unapproved_petition(scheme, people):
    draft = sponsoring(scheme, people, title="Plant trees",
                       action="Plant a tree on every street.", now=NOW)
    _sign(draft.id, "sponsor@example.org", sponsor_token=reload(draft.id).sponsor_token)
    token = _row(draft.id, "sponsor@example.org").token
    assert _bodies("sponsor@example.org") == [
        "Someone (maybe you) used this address to support a new petition that is gathering "
        "sponsors. To confirm your support, open this link; if it was not you, ignore this "
        f"email: https://civic.test/c/{token}"]


def test_a_link_works_on_its_seventh_day_exactly(petition):
    _sign(petition.id, "week@example.org")
    service.confirm_signature(_row(petition.id, "week@example.org").token,
                              now=NOW + timedelta(days=7))
    assert _row(petition.id, "week@example.org").state == SignatureState.VALIDATED


def test_a_link_clicked_after_the_window_ended_is_refused_before_the_scheduler_ran(petition):
    closes = reload(petition.id).closes_at
    _sign(petition.id, "late@example.org", now=closes - timedelta(days=1))
    with pytest.raises(service.SigningClosed) as refused:
        service.confirm_signature(_row(petition.id, "late@example.org").token, now=closes)
    assert str(refused.value) == "This petition is not collecting signatures."
    assert _row(petition.id, "late@example.org").state == SignatureState.PENDING


def test_a_fraudulent_signatures_link_is_spent_by_one_click_and_spends_no_other(petition):
    limits = SigningLimits()  # one signature per IP per minute
    _sign(petition.id, "first@example.org", ip="203.0.113.5", limits=limits)
    _sign(petition.id, "second@example.org", ip="203.0.113.5", limits=limits)
    first, second = _row(petition.id, "first@example.org"), _row(petition.id,
                                                                  "second@example.org")
    assert (first.state, second.state) == (SignatureState.PENDING, SignatureState.FRAUDULENT)
    first_link, second_link = first.token, second.token

    service.confirm_signature(second_link, now=NOW)
    assert _row(petition.id, "second@example.org").token is None
    with pytest.raises(service.NotFound):
        service.confirm_signature(second_link, now=NOW)
    assert _row(petition.id, "first@example.org").token == first_link
    service.confirm_signature(first_link, now=NOW)
    assert reload(petition.id).signature_count == 4


def test_signing_again_an_hour_later_sends_a_fresh_256_bit_link(petition):
    assert _sign(petition.id, "again@example.org") == service.SignOutcome.CONFIRMATION_SENT
    old = _row(petition.id, "again@example.org").token
    assert _sign(petition.id, "again@example.org", now=NOW + timedelta(hours=1)) == \
        service.SignOutcome.CONFIRMATION_SENT
    row = _row(petition.id, "again@example.org")
    assert row.token != old and len(row.token) == 43
    assert row.confirmation_sent_at == NOW + timedelta(hours=1)
    assert len(_bodies("again@example.org")) == 2


def test_a_held_back_email_is_logged_with_its_row_and_petition(petition, caplog):
    with caplog.at_level("WARNING", logger="petitions.service"):
        _sign(petition.id, "capped@example.org", confirmations_per_hour=0)
        row = _row(petition.id, "capped@example.org")
        assert [r.args for r in caplog.records] == [
            (row.id, petition.id, 0, service.RESEND_AFTER)]
        caplog.clear()
        # signing again within the hour: still held back, logged again
        _sign(petition.id, "capped@example.org", now=NOW + timedelta(minutes=5),
              confirmations_per_hour=0)
        assert [r.args for r in caplog.records] == [
            (row.id, petition.id, 0, service.RESEND_AFTER)]
        caplog.clear()
        # an hour later, without a cap, the link is re-sent and nothing is logged
        _sign(petition.id, "capped@example.org", now=NOW + timedelta(hours=1))
        assert caplog.records == []
    assert _row(petition.id, "capped@example.org").state == SignatureState.PENDING
    assert len(_bodies("capped@example.org")) == 1
