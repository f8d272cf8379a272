"""Signing reads the signed-in user and the petition once (issue 13): the user as the request
loaded it, not again under the lock, and the petition is read once, under the lock, and the
thank-you page shows it as read there. A petition the signer may not see is refused exactly as
an unknown one; signing again answers for that address only, never for another signer of the
petition (petitions/service.py `sign`, `_sign_again`)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from accounts.service import user_for_session
from core.db import db
from core.mail import OutboxEmail
from petitions import service
from petitions.models import Signature, SignatureState
from tests.petitions.helpers import T0, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


@contextmanager
def _statements():
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _sign(petition_id, email, *, now=NOW, **given):
    return service.sign(petition_id, name="Sam", email=email, area=None, ip=None,
                        notify=False, now=now, confirm_link=lambda t: f"https://civic.test/c/{t}",
                        **given)


def _citizen_as_the_request_loads_them(people):
    """The signed-in citizen, as Flask-Login's user loader gives them to a request."""
    citizen = user_for_session(people["citizen"].get_id())
    assert citizen.email == "citizen@example.org" and citizen.is_confirmed
    db.session.expire_all()
    return citizen


def test_one_click_signing_does_not_read_the_signed_in_user_again(petition, people):
    citizen = _citizen_as_the_request_loads_them(people)
    with _statements() as seen:
        assert _sign(petition.id, "citizen@example.org", user=citizen) == \
            service.SignOutcome.COUNTED
    # up to storing the signature (a threshold crossing later emails the creator)
    stored = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO petition_signatures"))
    assert [s for s in seen[:stored] if "FROM users" in s] == []
    assert db.session.scalar(select(Signature.user_id).where(
        Signature.petition_id == petition.id,
        Signature.email == "citizen@example.org")) == citizen.id


def test_the_petition_is_read_once_and_what_was_read_is_what_the_page_shows(petition, people):
    petition_id, count, scheme = petition.id, petition.signature_count, petition.scheme.title
    citizen = _citizen_as_the_request_loads_them(people)
    shown = []

    def may_view(read):
        shown.append(read)
        return True

    with _statements() as seen:
        assert _sign(petition_id, "citizen@example.org", user=citizen, may_view=may_view) == \
            service.SignOutcome.COUNTED
    assert len([s for s in seen if s.startswith("SELECT") and "FROM petitions" in s]) == 1
    [read] = shown  # the thank-you page is rendered from it (petitions/web.py `_sign`)
    assert (read.id, read.title, read.scheme.title, read.signature_count) == \
        (petition_id, "Fix the potholes on Mill Lane", scheme, count)  # as read under the lock


def test_a_petition_the_signer_may_not_see_is_refused_as_an_unknown_one(petition):
    with pytest.raises(service.NotFound) as hidden:
        _sign(petition.id, "sam@example.org", may_view=lambda _petition: False)
    with pytest.raises(service.NotFound) as unknown:
        _sign(petition.id + 1000, "sam@example.org")
    assert hidden.value.args == (petition.id,)
    assert unknown.value.args == (petition.id + 1000,)
    db.session.rollback()
    assert db.session.scalar(select(Signature.id).where(
        Signature.email == "sam@example.org")) is None


def _mails_to(address):
    return db.session.scalar(select(func.count(OutboxEmail.id))
                             .where(OutboxEmail.to == address))


def test_a_pending_signer_signing_again_gets_a_fresh_link_beside_a_counted_signer(petition):
    sign_and_confirm(petition.id, "amy@example.org", now=NOW)
    assert _sign(petition.id, "zoe@example.org") == service.SignOutcome.CONFIRMATION_SENT
    assert _sign(petition.id, "zoe@example.org", now=NOW + timedelta(hours=1)) == \
        service.SignOutcome.CONFIRMATION_SENT
    assert (_mails_to("zoe@example.org"), _mails_to("amy@example.org")) == (2, 1)


def test_a_counted_signer_signing_again_sends_no_link_to_a_pending_one(petition):
    assert _sign(petition.id, "amy@example.org") == service.SignOutcome.CONFIRMATION_SENT
    sign_and_confirm(petition.id, "zoe@example.org", now=NOW)
    assert _sign(petition.id, "zoe@example.org", now=NOW + timedelta(hours=1)) == \
        service.SignOutcome.ALREADY_SIGNED
    assert (_mails_to("amy@example.org"), _mails_to("zoe@example.org")) == (1, 1)
    db.session.expire_all()
    assert db.session.scalars(select(Signature.state).where(
        Signature.petition_id == petition.id,
        Signature.email.in_(["amy@example.org", "zoe@example.org"]))
        .order_by(Signature.email)).all() == [SignatureState.PENDING, SignatureState.VALIDATED]
