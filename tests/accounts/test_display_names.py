"""A display name must show (issue 13, finding 7): no invisible-only names, direction
overrides, C1 controls or Unicode line breaks."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accounts.models import User

BAD_NAMES = ["\u200b\u200b", "\ufeff", "\u3164", "Ana\u202eBob", "Ana\u2066Bob\u2069",
             "Ana\x9bBob", "Ana\x85Bob", "Ana\u2028Bob", "Ana\u2029Bob"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_registration_with_a_bad_display_name_is_refused(client, db, name):
    response = client.post("/register", data={"display_name": name,
                                              "email": "ana@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_name_in_hebrew_with_a_direction_mark_is_fine(client, db):
    response = client.post("/register", data={"display_name": "שרה\u200f",
                                              "email": "sara@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 302
