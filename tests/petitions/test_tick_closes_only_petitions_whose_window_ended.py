"""The scheduler's `flask petitions tick` closes each open petition whose signing window has
ended, at the moment it ended, and leaves every other petition open and signable.
(Mutation survivor in petitions.thresholds.guarded_update: the UPDATE without its petition id.)"""
from __future__ import annotations

from datetime import timedelta

import pytest

from petitions import jobs
from petitions.lifecycle import PetitionState
from tests.petitions.helpers import T0, open_petition, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def test_tick_closes_the_petition_whose_window_ended_and_no_other(people, scheme):
    older = open_petition(scheme, people, title="Opened first", now=T0)
    newer = open_petition(scheme, people, title="Opened ten days later",
                          now=T0 + timedelta(days=10))
    after_older_closed = reload(older.id).closes_at + timedelta(hours=1)

    assert jobs.tick(now=after_older_closed) == [older.id]

    closed, still_open = reload(older.id), reload(newer.id)
    assert closed.state == PetitionState.CLOSED
    assert closed.closed_at == closed.closes_at  # closed when the window ended, not later
    assert still_open.state == PetitionState.OPEN and still_open.closed_at is None
    assert sign_and_confirm(newer.id, "late@example.org", now=after_older_closed)
    assert reload(newer.id).signature_count == 4
