"""Reconcile corrects a drifted counter and un-stamps only what the corrected count misses:
a threshold still reached exactly stays reached, a response already published or a debate
already held stays on record, a listing is withdrawn only below the visibility threshold, and
every other petition is left alone. (Mutation survivors of `uncross_thresholds`, issue 15.)"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from core.db import db
from petitions import jobs, moderation
from petitions.lifecycle import DebateOutcome, DebateState, ResponseState
from petitions.models import Signature
from tests.petitions.helpers import SMALL_RULES, T0, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)
LINK = "https://civic.test/petitions/1"

pytestmark = pytest.mark.frozen_clock(NOW)


def _signed_by(petition, n, prefix="fan"):
    for i in range(n):
        sign_and_confirm(petition.id, f"{prefix}{i}@{petition.id}.example.org", now=NOW)


def _lose_rows_behind_the_counters_back(petition, n, prefix="fan"):
    db.session.execute(update(Signature).where(
        Signature.petition_id == petition.id,
        Signature.email.in_([f"{prefix}{i}@{petition.id}.example.org" for i in range(n)]))
        .values(state="invalidated"))
    db.session.commit()


@pytest.fixture
def neighbour(scheme, people):
    """An earlier petition (the lowest id) awaiting a response, its counter correct."""
    first = open_petition(scheme, people, title="An earlier petition on the same scheme")
    _signed_by(first, 3)
    assert reload(first.id).response_state == ResponseState.AWAITING
    return first


def test_a_count_corrected_to_exactly_the_debate_threshold_keeps_both_stamps(
        people, scheme, neighbour):
    petition = open_petition(scheme, people)
    _signed_by(petition, 4)  # 7 counted: response (4) and debate (6) thresholds reached
    _lose_rows_behind_the_counters_back(petition, 1)

    assert jobs.reconcile(now=NOW) == [(petition.id, 7, 6)]

    p = reload(petition.id)
    assert p.signature_count == 6
    assert (p.response_state, p.debate_state) == (ResponseState.AWAITING, DebateState.AWAITING)
    assert p.debate_threshold_reached_at is not None


def test_only_the_drifted_petition_loses_its_stamps(people, scheme, neighbour):
    petition = open_petition(scheme, people)
    _signed_by(petition, 4)
    _lose_rows_behind_the_counters_back(petition, 4)

    jobs.reconcile(now=NOW)

    p = reload(petition.id)
    assert p.signature_count == 3
    assert (p.response_state, p.debate_state) == (ResponseState.NOT_NEEDED,
                                                  DebateState.NOT_NEEDED)
    assert reload(neighbour.id).response_state == ResponseState.AWAITING


def test_a_published_response_and_a_held_debate_stay_on_record(people, scheme, neighbour):
    petition = open_petition(scheme, people)
    _signed_by(petition, 3)  # 6 counted
    moderation.publish_response(petition.id, actor=people["official"], summary="We will.",
                                details="", now=NOW, petition_link=LINK)
    moderation.record_debate_outcome(
        petition.id, actor=people["moderator"], now=NOW, petition_link=LINK,
        outcome=DebateOutcome(outcome=DebateState.DEBATED, on=date(2026, 3, 2),
                              summary="Debated."))
    _lose_rows_behind_the_counters_back(petition, 3)

    jobs.reconcile(now=NOW)

    p = reload(petition.id)
    assert p.signature_count == 3
    assert p.response_state == ResponseState.RESPONDED
    assert p.response_threshold_reached_at is not None
    assert p.debate_state == DebateState.DEBATED and p.debate_threshold_reached_at is not None


@pytest.fixture
def listed_at_two(people):
    """A scheme whose petitions are listed publicly from 4 signatures."""
    rules = {**SMALL_RULES, "visibility_threshold": 4, "response_threshold": 5,
             "debate_threshold": 7}
    return moderation.save_scheme(
        None, actor=people["admin"], now=T0, title="Listed at 4", authority="Council",
        description="", commitment="advisory", moderation_sla_days=14, area_kind="none",
        area_choices="", eligibility_text="", **rules)


@pytest.mark.parametrize("lost,listed", [(1, True), (2, False)])
def test_a_listing_is_withdrawn_only_below_the_visibility_threshold(
        people, listed_at_two, neighbour, lost, listed):
    petition = open_petition(listed_at_two, people)  # 3 counted: not listed yet
    assert reload(petition.id).listed_at is None
    _signed_by(petition, 2)  # 5: listed
    assert reload(petition.id).listed_at is not None
    _lose_rows_behind_the_counters_back(petition, lost)

    jobs.reconcile(now=NOW)

    p = reload(petition.id)
    assert p.signature_count == 5 - lost
    assert (p.listed_at is not None) is listed
