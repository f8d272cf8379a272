"""An admin edits a scheme while one of its petitions is open: the petition keeps the response
threshold it opened with, whichever way the scheme's number moved (README: "thresholds are
frozen on the petition when it opens")."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from core.mail import OutboxEmail
from petitions import moderation
from petitions.lifecycle import ResponseState
from tests.petitions.helpers import SMALL_RULES, T0, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _change_response_threshold(scheme, admin, value):
    moderation.save_scheme(scheme.id, actor=admin, now=NOW, **{
        **{name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS},
        "response_threshold": value, "debate_threshold": max(value + 1, scheme.debate_threshold)})


def _officials_asked_to_respond():
    return db.session.scalars(db.select(OutboxEmail.to).where(
        OutboxEmail.subject == "A petition needs your response")).all()


def test_raising_the_schemes_threshold_does_not_move_an_open_petitions_goal(people, scheme):
    petition = open_petition(scheme, people)  # opened at 4 signatures to a response; has 3
    _change_response_threshold(scheme, people["admin"], 100)

    sign_and_confirm(petition.id, "fourth@example.org", now=NOW)

    p = reload(petition.id)
    assert (p.signature_count, p.response_threshold) == (4, 4)
    assert p.response_state == ResponseState.AWAITING
    assert p.response_threshold_reached_at is not None and p.response_due_at is not None
    assert _officials_asked_to_respond() == ["official@example.org"]


def test_lowering_the_schemes_threshold_does_not_bring_an_open_petitions_goal_closer(
        people, scheme):
    moderation.save_scheme(scheme.id, actor=people["admin"], now=T0, **{
        **{name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS},
        **SMALL_RULES, "response_threshold": 10, "debate_threshold": 20})
    petition = open_petition(scheme, people)  # opened at 10 signatures to a response; has 3
    _change_response_threshold(scheme, people["admin"], 4)

    sign_and_confirm(petition.id, "fourth@example.org", now=NOW)

    p = reload(petition.id)
    assert (p.signature_count, p.response_threshold) == (4, 10)
    assert p.response_state == ResponseState.NOT_NEEDED
    assert p.response_threshold_reached_at is None and p.response_due_at is None
    assert _officials_asked_to_respond() == []
