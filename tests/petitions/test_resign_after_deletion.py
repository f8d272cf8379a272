"""Delete the account, register again, sign again: still one signature per mailbox (issue 13,
finding 4). Forgetting a signer keeps a keyed hash of the canonical email as the unique key."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts import service as accounts
from accounts.models import User
from core.db import db
from petitions import jobs, privacy, service
from petitions.models import Petition, Signature
from tests.petitions.helpers import T0, open_petition, sign_and_confirm

NOW = T0 + timedelta(days=2)
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.frozen_clock(NOW)


def _count(pid):
    db.session.expire_all()
    return db.session.get(Petition, pid).signature_count


def _rows(pid):
    return db.session.scalar(select(func.count(Signature.id))
                             .where(Signature.petition_id == pid))


def _account(email="ana@example.org"):
    user = User(email=email, display_name="Ana", email_confirmed_at=NOW)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def _sign_in_one_click(petition, user):
    return service.sign(petition.id, name=user.display_name, email=user.email, area="North",
                        ip=None, notify=False, now=NOW, user=user, confirm_link=lambda t: t)


def test_delete_register_sign_again_counts_one_mailbox_once(app, scheme, people):
    petition = open_petition(scheme, people)
    start = _count(petition.id)
    for round_ in range(3):
        user = _account()
        outcome = _sign_in_one_click(petition, user)
        expected = service.SignOutcome.COUNTED if round_ == 0 else \
            service.SignOutcome.ALREADY_SIGNED
        assert outcome == expected
        accounts.delete_account(user, password=PASSWORD)
    assert _count(petition.id) == start + 1
    assert _rows(petition.id) == start + 1


def test_signing_again_by_email_after_deletion_is_not_counted(app, scheme, people, outbox):
    petition = open_petition(scheme, people)
    start = _count(petition.id)
    user = _account()
    _sign_in_one_click(petition, user)
    accounts.delete_account(user, password=PASSWORD)
    before = len(outbox())
    outcome = service.sign(petition.id, name="Ana", email="Ana+again@Example.org",
                           area="North", ip=None, notify=False, now=NOW,
                           confirm_link=lambda t: t)
    assert outcome == service.SignOutcome.ALREADY_SIGNED
    assert len(outbox()) == before  # no confirmation link to count a second time
    assert _count(petition.id) == start + 1


def test_the_kept_key_names_nobody(app, scheme, people):
    petition = open_petition(scheme, people)
    sign_and_confirm(petition.id, "ana@example.org", name="Ana", area="North", now=NOW)
    user = _account()
    accounts.delete_account(user, password=PASSWORD)
    keys = db.session.scalars(select(Signature.canonical_email)
                              .where(Signature.petition_id == petition.id)).all()
    assert "ana@example.org" not in keys
    assert not any("ana" in key for key in keys)


def test_anonymising_a_petition_keeps_the_key_stable(app, scheme, people):
    petition = open_petition(scheme, people)
    sign_and_confirm(petition.id, "bo@example.org", name="Bo", area="North", now=NOW)
    key_before = privacy.anonymous_key("bo@example.org")
    db.session.execute(Petition.__table__.update().where(Petition.id == petition.id)
                       .values(state="closed", closed_at=NOW - timedelta(days=400)))
    db.session.commit()
    jobs.anonymise(now=NOW, after_days=183)
    keys = db.session.scalars(select(Signature.canonical_email)
                              .where(Signature.petition_id == petition.id)).all()
    assert key_before in keys and "bo@example.org" not in keys
