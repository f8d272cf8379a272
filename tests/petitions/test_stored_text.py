"""Text that must not be stored (issue 13, finding 7): only invisible characters, direction
overrides, C1 controls and Unicode line breaks in names and titles; a debate in the year
9999. And a petition's unmoderated title is not emailed to whatever address a sponsor types."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.mail import OutboxEmail
from petitions.lifecycle import DebateState
from petitions.models import Petition, Signature
from tests.petitions.helpers import T0, sign_and_confirm, sponsoring

NOW = T0 + timedelta(days=5)
pytestmark = pytest.mark.frozen_clock(NOW)

BAD_TEXT = {
    "zero-width only": "\u200b\u200c\u200d",
    "BOM and word joiner only": "\ufeff\u2060",
    "combining marks only": "\u0301\u0301",
    "Hangul fillers only": "\u3164\u3164",
    "right-to-left override": "Fix the \u202eskaep\u202c road",
    "left-to-right embedding": "Fix \u202athe\u202c road",
    "isolate": "Fix \u2067the\u2069 road",
    "C1 control": "Fix the\x9b road",
    "next line (U+0085)": "Fix the\x85road",
    "line separator": "Fix the\u2028road",
    "paragraph separator": "Fix the\u2029road",
}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("text", BAD_TEXT.values(), ids=BAD_TEXT.keys())
def test_a_petition_title_is_refused(client, login_as, people, scheme, text):
    login_as(client, people["citizen"])
    before = _count(Petition)
    response = client.post("/petitions/new", data={
        "scheme_id": scheme.id, "title": text, "action": "Repair the road.", "create": "y"})
    assert response.status_code == 400  # the form again, with the error
    assert 'class="error"' in response.get_data(as_text=True)
    assert _count(Petition) == before


@pytest.mark.parametrize("text", BAD_TEXT.values(), ids=BAD_TEXT.keys())
def test_a_signers_name_is_refused(client, petition, text):
    before = _count(Signature)
    response = client.post(f"/petitions/{petition.id}/sign", data={
        "name": text, "email": "sam@example.org", "eligible": "y"})
    assert response.status_code == 400
    assert _count(Signature) == before


@pytest.mark.parametrize("text", ["\u200b\u200b", "Please\x9b act", "Act \u202enow"])
def test_the_action_text_is_refused(client, login_as, people, scheme, text):
    login_as(client, people["citizen"])
    before = _count(Petition)
    client.post("/petitions/new", data={
        "scheme_id": scheme.id, "title": "Repair the road", "action": text, "create": "y"})
    assert _count(Petition) == before


def test_ordinary_text_still_passes(client, login_as, people, scheme):
    """Right-to-left letters and marks, accents, CJK and emoji are all fine."""
    login_as(client, people["citizen"])
    title = "Réparer 修路 שלום\u200f 🙂"
    response = client.post("/petitions/new", data={
        "scheme_id": scheme.id, "title": title, "action": "Repair it.", "create": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Petition.title).order_by(Petition.id.desc())) == title


@pytest.fixture
def debatable(petition):
    for i in range(3):
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW)
    db.session.expire_all()
    assert petition.debate_state == DebateState.AWAITING
    return petition


@pytest.mark.parametrize("day", ["9999-12-31", "3026-03-05", "0001-01-01", "1899-12-31"])
def test_an_implausible_debate_date_is_refused(client, login_as, people, debatable, day):
    login_as(client, people["moderator"])
    response = client.post(f"/petitions/{debatable.id}/debate", data={
        "outcome": "debated", "debated_on": day, "summary": "Debated for an hour."})
    assert response.status_code == 400
    db.session.expire_all()
    petition = db.session.get(Petition, debatable.id)
    assert (petition.debate_state, petition.debated_on) == (DebateState.AWAITING, None)


def test_a_debate_date_within_the_year_is_accepted(client, login_as, people, debatable):
    login_as(client, people["moderator"])
    response = client.post(f"/petitions/{debatable.id}/debate", data={
        "outcome": "debated", "debated_on": "2026-03-05", "summary": "Debated for an hour."})
    assert response.status_code == 302


def test_multi_line_text_stores_unicode_separators_as_newlines(client, login_as, people,
                                                               scheme, debatable):
    """Text areas keep the line breaks but not U+2028/U+2029/NEL (core.forms.plain_newlines)."""
    login_as(client, people["citizen"])
    assert client.post("/petitions/new", data={
        "scheme_id": scheme.id, "title": "Repair the road", "create": "y",
        "action": "Repair it.\u2028Soon.", "background": "Holes.\u2029Deep\x85ones."}
    ).status_code == 302
    stored = db.session.scalars(select(Petition).order_by(Petition.id.desc())).first()
    assert (stored.action, stored.background) == ("Repair it.\nSoon.", "Holes.\n\nDeep\nones.")
    login_as(client, people["moderator"])
    assert client.post(f"/petitions/{debatable.id}/debate", data={
        "outcome": "debated", "debated_on": "2026-03-05",
        "summary": "Debated.\u2028Agreed."}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, debatable.id).debate_summary == "Debated.\nAgreed."


def test_a_sponsor_request_email_does_not_carry_the_unmoderated_title(app, client, people,
                                                                      scheme):
    title = "Buy cheap pills at evil.example"
    draft = sponsoring(scheme, people, title=title, action="Spam.", now=NOW)
    token = db.session.get(Petition, draft.id).sponsor_token
    response = client.post(f"/petitions/{draft.id}/sponsor/{token}", data={
        "name": "Vic Victim", "email": "victim@example.org", "eligible": "y"})
    assert response.status_code == 200
    [email] = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.to == "victim@example.org")).all()
    assert title not in email.body and title not in email.subject
    assert "evil.example" not in email.body
    assert "/petitions/confirm/" in email.body


def test_an_open_petitions_confirmation_names_it(app, client, petition):
    client.post(f"/petitions/{petition.id}/sign", data={
        "name": "Sam", "email": "sam@example.org", "eligible": "y"})
    [email] = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.to == "sam@example.org")).all()
    assert petition.title in email.body
