"""`flask petitions reconcile` finds a counter that ran ahead of the validated signatures and
corrects it; a threshold the corrected count no longer reaches is un-stamped, so officials are
not held to answer (or debate) a petition that has not really earned it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.db import db
from petitions.lifecycle import DebateState, ResponseState
from petitions.models import Signature
from tests.petitions.helpers import T0, count_rows, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _reach_the_debate_threshold(petition):
    """3 more signatures: 6 in all, past the response (4) and debate (6) thresholds."""
    for i in range(3):
        sign_and_confirm(petition.id, f"late{i}@example.org", now=NOW)
    p = reload(petition.id)
    assert p.signature_count == 6
    assert (p.response_state, p.debate_state) == (ResponseState.AWAITING, DebateState.AWAITING)


def _rows_drop_out_behind_the_counters_back(petition, emails):
    """E.g. a manual database repair that invalidated rows without moving the counter."""
    db.session.execute(update(Signature).where(Signature.petition_id == petition.id,
                                               Signature.email.in_(emails))
                       .values(state="invalidated"))
    db.session.commit()


def test_reconcile_below_the_response_threshold_clears_the_response_and_debate(runner,
                                                                               petition):
    _reach_the_debate_threshold(petition)
    _rows_drop_out_behind_the_counters_back(
        petition, [f"late{i}@example.org" for i in range(3)])

    result = runner.invoke(args=["petitions", "reconcile"])

    assert "1 petition(s) drifted" in result.output
    p = reload(petition.id)
    assert p.signature_count == count_rows(petition.id) == 3
    assert p.response_state == ResponseState.NOT_NEEDED
    assert p.response_threshold_reached_at is None and p.response_due_at is None
    assert p.debate_state == DebateState.NOT_NEEDED and p.debate_threshold_reached_at is None


def test_reconcile_between_the_thresholds_keeps_the_response_and_clears_the_debate(runner,
                                                                                  petition):
    _reach_the_debate_threshold(petition)
    reached = reload(petition.id).response_threshold_reached_at
    _rows_drop_out_behind_the_counters_back(petition, ["late0@example.org", "late1@example.org"])

    runner.invoke(args=["petitions", "reconcile"])

    p = reload(petition.id)
    assert p.signature_count == 4
    assert p.response_state == ResponseState.AWAITING
    assert p.response_threshold_reached_at == reached
    assert p.debate_state == DebateState.NOT_NEEDED and p.debate_threshold_reached_at is None
    assert db.session.scalar(select(Signature.state).where(
        Signature.email == "late2@example.org")) == "validated"
