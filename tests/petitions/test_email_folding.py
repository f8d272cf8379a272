"""One mailbox, one signature, however its address is written (issue 13, finding 5): other
full stops (。．｡) and an internationalised domain vs its xn-- form; and the anonymous sign
form does not tell anyone whether an address has signed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.identity import canonical_email
from petitions import service
from petitions.models import Petition, Signature
from tests.petitions.helpers import T0, sign_and_confirm

NOW = T0 + timedelta(days=3)

pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.mark.parametrize("variant", [
    "x@example\u3002net", "x@example\uff0enet", "x@example\uff61net", "X@EXAMPLE\u3002NET",
    "x@example\u3002net\u200b"])
def test_other_full_stops_fold_to_a_dot(variant):
    assert canonical_email(variant) == "x@example.net"


@pytest.mark.parametrize("variant", [
    "ana@bücher.example", "ana@BÜCHER.example", "ana@xn--bcher-kva.example",
    "ana@XN--BCHER-KVA.example", "ana@bücher\u3002example"])
def test_an_idn_domain_and_its_xn_form_are_one_address(variant):
    assert canonical_email(variant) == "ana@xn--bcher-kva.example"


def test_undecodable_labels_are_kept_as_they_are():
    assert canonical_email("a@" + "ü" * 70 + ".example") == "a@" + "ü" * 70 + ".example"


def _rows(pid):
    return db.session.scalar(select(func.count(Signature.id))
                             .where(Signature.petition_id == pid))


@pytest.mark.parametrize("first, second", [
    ("x@example.net", "x@example\u3002net"),
    ("x@example.net", "x@example\uff0enet"),
    ("ana@bücher.example", "ana@xn--bcher-kva.example"),
    ("ana@xn--bcher-kva.example", "ana@BÜCHER.example"),
])
def test_the_two_spellings_sign_once(app, petition, first, second):
    count = db.session.get(Petition, petition.id).signature_count
    rows = _rows(petition.id)
    sign_and_confirm(petition.id, first, now=NOW)
    outcome = service.sign(petition.id, name="Sam", email=second, area=None, ip=None,
                           notify=False, now=NOW, confirm_link=lambda t: t)
    assert outcome == service.SignOutcome.ALREADY_SIGNED
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == count + 1
    assert _rows(petition.id) == rows + 1


def _message(response) -> str:
    page = response.get_data(as_text=True)
    page = re.sub(r'name="csrf_token" [^>]*>', "", page)
    return re.search(r"<main.*</main>", page, re.S).group(0)


def test_the_anonymous_form_answers_an_old_signer_like_a_new_one(client, petition):
    sign_and_confirm(petition.id, "old@example.org", now=NOW)
    new = client.post(f"/petitions/{petition.id}/sign",
                      data={"name": "Nia", "email": "new@example.org", "eligible": "y"})
    old = client.post(f"/petitions/{petition.id}/sign",
                      data={"name": "Nia", "email": "old@example.org", "eligible": "y"})
    assert new.status_code == old.status_code == 200
    assert "already signed" not in old.get_data(as_text=True)
    assert _message(old) == _message(new)
    assert "Check your email" in _message(old)
