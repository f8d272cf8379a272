"""The pure state machine and signer identity rules (no app needed; tests/test_boundaries.py
checks they load neither Flask nor SQLAlchemy)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.identity import canonical_email
from core.states import may_move_to, sources
from petitions import lifecycle
from petitions.identity import SigningLimits, area_code, over_limit
from petitions.lifecycle import InvalidTransition, PetitionState, ResponseState

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_the_happy_path_is_allowed_step_by_step():
    path = [PetitionState.DRAFT, PetitionState.SPONSORING, PetitionState.AWAITING_MODERATION,
            PetitionState.OPEN, PetitionState.CLOSED]
    for current, target in zip(path, path[1:], strict=False):
        lifecycle.check_transition(current, target)


@pytest.mark.parametrize("current,target", [
    (PetitionState.DRAFT, PetitionState.OPEN),
    (PetitionState.SPONSORING, PetitionState.OPEN),
    (PetitionState.CLOSED, PetitionState.OPEN),
    (PetitionState.REJECTED, PetitionState.OPEN),
    (PetitionState.OPEN, PetitionState.REJECTED),
])
def test_skipping_a_step_names_the_current_state(current, target):
    with pytest.raises(InvalidTransition, match=str(current)):
        lifecycle.check_transition(current, target)


def test_a_response_cannot_be_published_before_the_threshold():
    with pytest.raises(InvalidTransition):
        lifecycle.check_response_transition(ResponseState.NOT_NEEDED, ResponseState.RESPONDED)
    lifecycle.check_response_transition(ResponseState.AWAITING, ResponseState.RESPONDED)


def test_an_open_petition_shows_as_closed_once_its_window_ends_even_before_the_tick():
    closes = NOW + timedelta(days=1)
    assert lifecycle.effective_state(state=PetitionState.OPEN, closes=closes,
                                     now=closes - timedelta(seconds=1)) == PetitionState.OPEN
    assert lifecycle.effective_state(state=PetitionState.OPEN, closes=closes,
                                     now=closes) == PetitionState.CLOSED


def test_overdue_days_count_from_the_due_date_and_stop_at_the_response():
    due = NOW
    assert lifecycle.days_overdue(due=due, responded_at=None, now=due) == 0
    later = due + timedelta(days=3, hours=2)
    assert lifecycle.days_overdue(due=due, responded_at=None, now=later) == 3
    assert lifecycle.days_overdue(due=due, responded_at=due, now=due + timedelta(days=9)) == 0


def test_bad_rules_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="response_threshold"):
        lifecycle.FrozenRules(sponsor_count=5, visibility_threshold=0, response_threshold=0,
                              window_days=60, response_due_days=60)
    with pytest.raises(ValueError, match="debate_threshold"):
        lifecycle.FrozenRules(sponsor_count=5, visibility_threshold=0, response_threshold=10,
                              window_days=60, response_due_days=60, debate_threshold=10)


@pytest.mark.parametrize("variant", [
    "sam@example.org", "SAM@Example.ORG", "sam+petitions@example.org", " sam@example.org ",
    "s\u200bam@example.org", "ｓａｍ@example.org", "Sam+x+y@EXAMPLE.org",
])
def test_spellings_of_one_address_share_a_canonical_key(variant):
    assert canonical_email(variant) == "sam@example.org"


def test_dots_are_ignored_only_where_the_provider_ignores_them():
    assert canonical_email("Foo.Bar+x@GoogleMail.com") == canonical_email("foobar@gmail.com")
    assert canonical_email("foo.bar@example.com") != canonical_email("foobar@example.com")


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b@c", "x\r\n@example.org", "+tag@example.org"])
def test_malformed_emails_are_refused(bad):
    with pytest.raises(ValueError):
        canonical_email(bad)


def test_a_postcode_is_published_only_as_its_outward_code():
    assert area_code("sw1a 1aa", kind="postcode") == "SW1A"
    assert area_code("North", kind="district") == "North"
    assert area_code("anything", kind="none") is None


def test_signing_limits_follow_ep_defaults():
    limits = SigningLimits()
    assert not over_limit(limits=limits, ip_recent_burst=0, ip_recent_sustained=4,
                          domain_recent_hour=0, domain="example.org")
    assert over_limit(limits=limits, ip_recent_burst=1, ip_recent_sustained=1,
                      domain_recent_hour=0, domain="example.org")
    assert over_limit(limits=limits, ip_recent_burst=0, ip_recent_sustained=0,
                      domain_recent_hour=200, domain="spam.example")
    assert not over_limit(limits=limits, ip_recent_burst=0, ip_recent_sustained=0,
                          domain_recent_hour=10_000, domain="gmail.com")


def test_debate_outcomes_are_recorded_only_while_awaiting_a_debate():
    from petitions.lifecycle import DebateState
    for outcome in (DebateState.DEBATED, DebateState.NOT_DEBATED):
        lifecycle.check_debate_transition(DebateState.AWAITING, outcome)
        for current in (DebateState.NOT_NEEDED, DebateState.DEBATED, DebateState.NOT_DEBATED):
            with pytest.raises(InvalidTransition, match=str(current)):
                lifecycle.check_debate_transition(current, outcome)
    lifecycle.check_debate_transition(DebateState.NOT_NEEDED, DebateState.AWAITING)


@pytest.mark.parametrize("url,ok", [
    ("https://parliament.example/debates/1", True), ("http://video.example/v?id=2", True),
    ("javascript:alert(1)", False), ("javascript://example.org/%0aalert(1)", False),
    ("data:text/html,hi", False), ("ftp://files.example/t.pdf", False),
    ("//example.org/x", False), ("https://", False), ("https://ex ample.org", False),
    ("https://example.org/\x00", False), ("https://example.org/" + "a" * 500, False),
])
def test_only_http_and_https_links_are_accepted(url, ok):
    assert lifecycle.is_web_url(url) is ok


def test_a_debate_outcome_validates_itself():
    from datetime import date

    from petitions.lifecycle import DebateOutcome, DebateState
    DebateOutcome(outcome=DebateState.DEBATED, on=date(2026, 5, 1), summary="Debated.",
                  transcript_url="https://example.org/t")
    for bad in (dict(outcome=DebateState.AWAITING), dict(summary=" "), dict(summary="x" * 501),
                dict(video_url="javascript:alert(1)"), dict(on=NOW)):
        fields = dict(outcome=DebateState.NOT_DEBATED, on=date(2026, 5, 1), summary="No.")
        with pytest.raises(ValueError):
            DebateOutcome(**(fields | bad))


def test_signature_states_move_by_their_table():
    table = lifecycle.SIGNATURE_TRANSITIONS
    assert set(table) == set(lifecycle.SignatureState)
    assert sources(table, lifecycle.SignatureState.VALIDATED) == {lifecycle.SignatureState.PENDING}
    assert sources(table, lifecycle.SignatureState.INVALIDATED) == {
        lifecycle.SignatureState.PENDING, lifecycle.SignatureState.VALIDATED,
        lifecycle.SignatureState.FRAUDULENT}


@pytest.mark.parametrize(("table", "target"), [
    (lifecycle.TRANSITIONS, PetitionState.AWAITING_MODERATION),
    (lifecycle.TRANSITIONS, PetitionState.CLOSED),
    (lifecycle.RESPONSE_TRANSITIONS, ResponseState.AWAITING),
    (lifecycle.RESPONSE_TRANSITIONS, ResponseState.NOT_NEEDED),
    (lifecycle.DEBATE_TRANSITIONS, lifecycle.DebateState.AWAITING),
    (lifecycle.DEBATE_TRANSITIONS, lifecycle.DebateState.NOT_NEEDED),
    (lifecycle.SIGNATURE_TRANSITIONS, lifecycle.SignatureState.VALIDATED),
    (lifecycle.SIGNATURE_TRANSITIONS, lifecycle.SignatureState.INVALIDATED),
])
def test_every_guarded_update_target_is_reachable_in_its_table(table, target):
    """thresholds.py, jobs.py, service.py and moderation.py build their WHERE from these."""
    assert sources(table, target)


def test_a_guarded_update_to_an_unreachable_state_is_refused_before_any_sql():
    with pytest.raises(InvalidTransition):
        may_move_to(None, lifecycle.TRANSITIONS, PetitionState.DRAFT)
