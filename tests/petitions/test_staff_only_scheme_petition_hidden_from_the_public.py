"""An internal (staff-only) scheme's petitions are for officials, moderators and admins: an
anonymous visitor or a citizen asking for the page, the JSON or the CSV of one of them gets a
404, as if it did not exist, and cannot sign it; staff read it as usual."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.process import Audience
from petitions import moderation
from tests.petitions.helpers import SMALL_RULES, T0, count_rows, open_petition

NOW = T0 + timedelta(days=2)
TITLE = "Move the staff canteen to the ground floor"

pytestmark = pytest.mark.frozen_clock(NOW)


@pytest.fixture
def internal_petition(people):
    staff_only = moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="Internal suggestions", authority="HR",
        description="", commitment="advisory", audience=Audience.STAFF, moderation_sla_days=14,
        area_kind="none", area_choices="", eligibility_text="", **SMALL_RULES)
    return open_petition(staff_only, people, title=TITLE)


PAGES = ["/petitions/{id}", "/petitions/{id}.json", "/petitions/{id}.csv"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_the_public_cannot_read_an_internal_petition(app, login_as, people, internal_petition,
                                                     page, who):
    client = app.test_client()
    if who != "anonymous":
        login_as(client, people[who])

    response = client.get(page.format(id=internal_petition.id))

    assert response.status_code == 404
    assert TITLE not in response.get_data(as_text=True)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["official", "moderator", "admin"])
def test_staff_read_an_internal_petition(app, login_as, people, internal_petition, page, who):
    client = app.test_client()
    login_as(client, people[who])

    response = client.get(page.format(id=internal_petition.id))

    assert response.status_code == 200
    assert TITLE in response.get_data(as_text=True)


def test_the_public_cannot_sign_an_internal_petition(client, internal_petition):
    before = count_rows(internal_petition.id, "pending")

    response = client.post(f"/petitions/{internal_petition.id}/sign",
                           data={"name": "Outsider", "email": "outsider@example.org"})

    assert response.status_code == 404
    assert count_rows(internal_petition.id, "pending") == before == 0


def test_a_complete_sign_form_for_an_internal_petition_is_refused_under_the_lock(
        client, internal_petition):
    """A valid form goes straight to signing, which loads the petition once, under the
    signing lock, and checks there that the signer may see it (issue 13)."""
    response = client.post(f"/petitions/{internal_petition.id}/sign",
                           data={"name": "Outsider", "email": "outsider@example.org",
                                 "eligible": "y"})

    assert response.status_code == 404
    assert count_rows(internal_petition.id, "pending") == 0
