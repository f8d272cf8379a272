"""When a petition reaches its response threshold, the audit log records it once, against that
petition, at the moment the deciding signature counted; the creator is told an answer is now
due and by when. Reaching the debate threshold is recorded the same way.
(Mutation survivors in petitions.thresholds.cross_thresholds, issue 15.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxEmail
from tests.petitions.helpers import T0, reload, sign_and_confirm

NOW = T0 + timedelta(days=2)

pytestmark = pytest.mark.frozen_clock(NOW)


def _entries(action):
    return [(e.target_type, e.target_id, e.actor_id, e.at.replace(tzinfo=None))
            for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def test_reaching_the_response_threshold_is_audited_once_when_it_happens(petition):
    fourth_at = NOW + timedelta(hours=5)  # not the frozen clock: the job's own `now`
    sign_and_confirm(petition.id, "fourth@example.org", now=fourth_at)
    sign_and_confirm(petition.id, "fifth@example.org", now=fourth_at + timedelta(hours=1))

    assert _entries("petition.response_threshold_reached") == [
        ("petition", str(petition.id), None, fourth_at.replace(tzinfo=None))]


def test_the_creator_and_officials_are_told_an_answer_is_due_and_by_when(petition):
    fourth_at = NOW + timedelta(hours=5)
    sign_and_confirm(petition.id, "fourth@example.org", now=fourth_at)

    # In the default locale (English), as the pages show dates: "Mar 13, 2026".
    due = format_date(reload(petition.id).response_due_at, "medium", locale="en")
    to_creator = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.to == "creator@example.org",
        OutboxEmail.subject == "Your petition needs a response")).all()
    assert [m.body for m in to_creator] == [
        f"“Fix the potholes on Mill Lane” reached the response threshold. An answer is due "
        f"by {due}."]
    to_officials = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.subject == "A petition needs your response")).all()
    assert [(m.to, m.body, m.created_at.replace(tzinfo=None)) for m in to_officials] == [
        ("official@example.org",
         f"“Fix the potholes on Mill Lane” (petition {petition.id}) reached the response "
         f"threshold. Your answer is due by {due}.", fourth_at.replace(tzinfo=None))]


def test_reaching_the_debate_threshold_is_audited_once_when_it_happens(petition):
    sixth_at = NOW + timedelta(hours=7)
    for i, at in enumerate([NOW, NOW, sixth_at, sixth_at + timedelta(hours=1)]):
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=at)

    assert _entries("petition.debate_threshold_reached") == [
        ("petition", str(petition.id), None, sixth_at.replace(tzinfo=None))]
