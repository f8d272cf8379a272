"""An admin's typo in a scheme (10**8 days) is refused; before, approving a petition in it
overflowed the date arithmetic and left the petition stuck awaiting moderation."""
from __future__ import annotations

import pytest

from core.db import db
from petitions import lifecycle, moderation
from petitions.lifecycle import MAX_DAYS, FrozenRules
from tests.petitions.helpers import SMALL_RULES


@pytest.mark.parametrize("field", ["window_days", "response_due_days", "moderation_sla_days"])
def test_absurd_day_counts_are_refused_and_the_scheme_is_unchanged(app, login_as, people,
                                                                    scheme, field):
    client = app.test_client()
    login_as(client, people["admin"])
    form = {name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS}
    form.update(debate_threshold=scheme.debate_threshold or "", commitment="advisory")
    before = getattr(scheme, field)
    response = client.post(f"/petitions/schemes/{scheme.id}", data=form | {field: 100_000_000})
    assert response.status_code == 400
    assert f"Enter a number from 1 to {MAX_DAYS}." in response.get_data(True)
    db.session.expire_all()
    assert getattr(scheme, field) == before
    assert client.post(f"/petitions/schemes/{scheme.id}",
                       data=form | {field: MAX_DAYS}).status_code == 302


@pytest.mark.parametrize("field", ["window_days", "response_due_days"])
def test_frozen_rules_refuse_more_than_ten_years(field):
    FrozenRules(**SMALL_RULES | {field: MAX_DAYS})
    with pytest.raises(ValueError, match="at most 3660"):
        FrozenRules(**SMALL_RULES | {field: MAX_DAYS + 1})


def test_a_petition_opens_under_the_longest_allowed_window(people, scheme):
    from tests.petitions.helpers import open_petition

    moderation.save_scheme(scheme.id, actor=people["admin"], now=scheme.created_at,
                           **{name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS}
                           | {"window_days": MAX_DAYS, "response_due_days": MAX_DAYS})
    petition = open_petition(scheme, people)
    assert petition.state == lifecycle.PetitionState.OPEN
    assert (petition.closes_at - petition.opened_at).days == MAX_DAYS
