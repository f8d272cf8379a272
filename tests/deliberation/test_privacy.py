"""Account deletion and the anonymisation job detach conversation participants, votes and
statements from people without changing one vote or one number of the math (issue 13
"Privacy")."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from accounts import service as accounts
from accounts.models import User
from core import audit
from core.db import db
from deliberation import privacy, service
from deliberation.models import Participant, Statement, Vote
from deliberation.phases import ConversationPhase
from deliberation.pipeline import run_pipeline
from deliberation.results import load_votes
from deliberation.service import Who

from .web_helpers import open_conversation

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
# Agree/disagree patterns of eight participants on five statements: two clear groups.
PATTERNS = [(1, 1, -1, -1, 1), (1, 1, -1, -1, 0), (1, 1, -1, 0, 1), (1, 0, -1, -1, 1),
            (-1, -1, 1, 1, -1), (-1, -1, 1, 1, 0), (-1, 0, 1, 1, -1), (0, -1, 1, 1, -1)]


def _person(n, *, password=False):
    user = User(email=f"p{n}@example.org", display_name=f"P{n}", email_confirmed_at=NOW)
    if password:
        user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def voted(app):
    """A conversation where four accounts and four anonymous browsers voted, and the
    first account wrote a statement."""
    conversation = open_conversation(
        texts=[f"Statement {n}" for n in range(5)])
    statements = [s.id for s in conversation.statements]
    people = [Who(user=_person(n, password=n == 0)) if n < 4 else Who(anon_key=f"{n:064x}")
              for n in range(len(PATTERNS))]
    for who, pattern in zip(people, PATTERNS, strict=True):
        for sid, value in zip(statements, pattern, strict=True):
            service.cast_vote(conversation.id, sid, value, who=who, now=NOW)
    service.write_statement(conversation.id, "Keep the library open on Sundays",
                            who=people[0], now=NOW)
    return conversation, people


def _math(conversation_id):
    """Everything the results are computed from, and the groups they find."""
    loaded = load_votes(conversation_id)
    result = run_pipeline(loaded.matrix)
    return (loaded.n_votes, loaded.matrix.raw.toarray().tolist(),
            loaded.matrix.pids.tolist(), loaded.matrix.tids.tolist(),
            result.group_of.tolist(), np.round(result.projection, 9).tolist())


def _counts():
    return (db.session.scalar(select(func.count()).select_from(Vote)),
            db.session.scalar(select(func.count()).select_from(Participant)),
            db.session.scalar(select(func.count()).select_from(Statement)))


def test_deleting_an_account_that_voted_and_wrote_changes_no_vote_or_result(voted):
    conversation, people = voted
    user = people[0].user
    before, counts = _math(conversation.id), _counts()
    mine = service.find_participant(conversation.id, people[0])
    assert mine is not None

    accounts.delete_account(user, password=PASSWORD)
    db.session.expire_all()

    assert _math(conversation.id) == before and _counts() == counts
    participant = db.session.get(Participant, mine.id)
    assert (participant.user_id, participant.anon_key) == (None, None)
    assert db.session.scalar(select(func.count()).select_from(Vote).where(
        Vote.participant_id == mine.id)) == len(PATTERNS[0])  # the votes stay, unlinked
    assert db.session.scalar(select(Statement.id).where(Statement.author_id == user.id)) \
        is None
    assert service.find_participant(conversation.id, people[0]) is None
    others = service.find_participant(conversation.id, people[1])
    assert others is not None and others.user_id == people[1].user.id  # nobody else


def test_the_anonymise_job_forgets_accounts_and_cookies_after_closing(voted):
    conversation, people = voted
    facilitator = _person(99)
    before, counts = _math(conversation.id), _counts()
    conversation.phase = ConversationPhase.CLOSED  # as facilitation.change_phase records it
    audit.record(facilitator, "conversation.closed", "conversation", conversation.id,
                 now=NOW + timedelta(days=1))
    db.session.commit()

    assert privacy.anonymise(now=NOW + timedelta(days=30), after_days=30) == []
    assert service.find_participant(conversation.id, people[5]) is not None
    conversation.phase = ConversationPhase.OPEN  # reopened: still in use, nothing forgotten
    db.session.commit()
    assert privacy.anonymise(now=NOW + timedelta(days=32), after_days=30) == []
    conversation.phase = ConversationPhase.CLOSED
    db.session.commit()
    assert privacy.anonymise(now=NOW + timedelta(days=32), after_days=30) == [conversation.id]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Participant).where(
        (Participant.user_id.is_not(None)) | (Participant.anon_key.is_not(None)))) == 0
    assert db.session.scalar(select(Statement.id).where(Statement.author_id.is_not(None))) \
        is None
    assert _math(conversation.id) == before and _counts() == counts
    assert privacy.anonymise(now=NOW + timedelta(days=40), after_days=30) == []


def test_a_conversation_past_its_closing_date_is_anonymised(voted):
    conversation, people = voted
    conversation.closes_at = NOW + timedelta(days=2)
    db.session.commit()
    assert privacy.anonymise(now=NOW + timedelta(days=10), after_days=30) == []
    assert privacy.anonymise(now=NOW + timedelta(days=33), after_days=30) == [conversation.id]
    assert service.find_participant(conversation.id, people[7]) is None


def test_the_anonymise_command(voted, runner):
    conversation, _people = voted
    conversation.closes_at = NOW
    db.session.commit()
    output = runner.invoke(args=["conversations", "anonymise", "--after-days", "0"]).output
    assert "anonymised 1 conversation(s)" in output
