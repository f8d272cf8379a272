"""What readers and moderators are told about time and records: the days of signing left
(rounded up, never negative), when a petition waiting for moderation is "nearly" or "overdue"
on the scheme's SLA, and which debate records and links a moderator may save, with a message
that says what is wrong. (Mutation survivors in petitions/lifecycle.py, issue 15.)"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from petitions.lifecycle import (
    DEBATE_SUMMARY_MAX,
    URL_MAX,
    DebateOutcome,
    DebateState,
    days_left,
    days_overdue,
    is_web_url,
    moderation_sla_status,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("closes_in,days", [
    (timedelta(days=10), 10),
    (timedelta(days=1, seconds=1), 2),  # a day and a second: 2 days, rounded up
    (timedelta(hours=36), 2),
    (timedelta(days=1), 1),
    (timedelta(seconds=1), 1),
    (timedelta(0), 0),
    (-timedelta(hours=1), 0),  # closed: 0, never negative
    (-timedelta(days=3), 0),
])
def test_days_left_to_sign_are_whole_days_rounded_up(closes_in, days):
    assert days_left(closes=NOW + closes_in, now=NOW) == days


@pytest.mark.parametrize("past_due,responded,days", [
    (timedelta(0), False, 0),  # due now: not overdue yet
    (timedelta(hours=1), False, 1),  # any part of a day past the due date counts as one
    (timedelta(days=1, hours=23), False, 1),
    (timedelta(days=5), False, 5),
    (timedelta(days=5), True, 0),  # answered: never overdue
])
def test_officials_see_how_many_days_a_response_is_overdue(past_due, responded, days):
    assert days_overdue(due=NOW - past_due, responded_at=NOW if responded else None,
                        now=NOW) == days


def test_a_petition_without_a_window_has_no_days_left():
    assert days_left(closes=None, now=NOW) is None


@pytest.mark.parametrize("waited,status", [
    (timedelta(days=1), "ok"),
    (timedelta(days=11, hours=4, minutes=48), "ok"),  # exactly four fifths of 14 days
    (timedelta(days=11, hours=4, minutes=49), "nearly"),
    (timedelta(days=14), "nearly"),  # the last moment within the SLA
    (timedelta(days=14, seconds=1), "overdue"),
    (timedelta(days=30), "overdue"),
])
def test_moderators_see_a_petition_nearly_due_then_overdue_on_a_14_day_sla(waited, status):
    assert moderation_sla_status(waiting_since=NOW - waited, sla_days=14, now=NOW) == status


def test_links_up_to_the_length_limit_are_accepted_and_broken_ones_refused():
    base = "https://example.org/"
    assert is_web_url(base + "a" * (URL_MAX - len(base)))
    assert not is_web_url(base + "a" * (URL_MAX - len(base) + 1))
    assert not is_web_url("http://[::1/transcript")  # unparsable: refused, not an error
    assert not is_web_url("javascript:alert(1)")
    assert not is_web_url("https://example.org/a\x07b")


def _outcome(**changes):
    fields = dict(outcome=DebateState.DEBATED, on=date(2026, 3, 5), summary="Debated.")
    return DebateOutcome(**{**fields, **changes})


def test_a_summary_of_exactly_the_maximum_length_is_kept():
    assert len(_outcome(summary="x" * DEBATE_SUMMARY_MAX).summary) == DEBATE_SUMMARY_MAX


@pytest.mark.parametrize("changes,message", [
    ({"outcome": DebateState.AWAITING}, "outcome must be debated or not_debated, got"),
    ({"on": datetime(2026, 3, 5, 10, 0)}, "on must be a date"),
    ({"on": "2026-03-05"}, "on must be a date"),
    ({"summary": "   "}, "summary must be 1-500 characters"),
    ({"summary": "x" * (DEBATE_SUMMARY_MAX + 1)}, "summary must be 1-500 characters"),
    ({"video_url": "javascript:alert(1)"}, "video_url must be an http or https URL"),
    ({"transcript_url": "ftp://example.org/t"}, "transcript_url must be an http or https URL"),
])
def test_a_bad_debate_record_is_refused_with_a_message_naming_the_problem(changes, message):
    with pytest.raises(ValueError) as refused:
        _outcome(**changes)
    assert str(refused.value).startswith(message)
