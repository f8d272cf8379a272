"""A conversation takes votes and statements only while open, at the time the caller gives;
drafts stay with their facilitators; a statement of exactly the maximum length is taken and
stored with its author and time; participants are numbered 0, 1, ... in order of arrival; the
voting page counts only the statements this person may vote on, shows the one asked for, and
the same one on a reload (killed issue-15 mutation survivors in deliberation/service.py, see
bench/RESULTS-mutation.md "Killed after run 4")."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from deliberation import service
from deliberation.models import ConversationPhase, Participant, Statement, Vote
from tests.deliberation.web_helpers import open_conversation

ANON = service.Who(anon_key="a" * 64)
LAST_SPRING = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_vote_after_the_closing_time_is_refused_and_not_stored(app):
    conversation = open_conversation(closes_at=utcnow() - timedelta(hours=1))
    with pytest.raises(service.NotAllowed) as refused:
        service.cast_vote(conversation.id, conversation.statements[0].id, 1, who=ANON,
                          now=utcnow())
    assert str(refused.value) == "This conversation is not open for participation."
    db.session.rollback()
    assert _count(Vote) == 0


def test_a_vote_is_judged_at_the_time_given_not_the_clock(app):
    opens = utcnow() + timedelta(days=1)
    conversation = open_conversation(opens_at=opens)
    service.cast_vote(conversation.id, conversation.statements[0].id, -1, who=ANON,
                      now=opens + timedelta(minutes=1))
    assert db.session.scalars(select(Vote.value)).all() == [-1]


def test_a_statement_after_the_closing_time_is_refused(app):
    conversation = open_conversation(closes_at=utcnow() - timedelta(hours=1))
    with pytest.raises(service.NotAllowed):
        service.write_statement(conversation.id, "Late idea.", who=ANON, now=utcnow())
    db.session.rollback()
    assert _count(Statement) == 5


def test_a_statement_of_exactly_the_maximum_length_is_taken_with_author_and_time(
        app, make_user):
    author = make_user()
    conversation = open_conversation(statement_max_length=12)
    statement = service.write_statement(conversation.id, "x" * 12, who=service.Who(user=author),
                                        now=LAST_SPRING)
    stored = db.session.get(Statement, statement.id)
    assert (stored.text, stored.author_id) == ("x" * 12, author.id)
    assert stored.created_at == LAST_SPRING


def test_participants_are_numbered_from_zero_in_order_of_arrival_when_they_came(app):
    conversation = open_conversation()
    sid = conversation.statements[0].id
    for key in ("a", "b", "c"):
        service.cast_vote(conversation.id, sid, 1, who=service.Who(anon_key=key * 64),
                          now=LAST_SPRING)
    rows = db.session.execute(select(Participant.anon_key, Participant.number,
                                     Participant.created_at).order_by(Participant.id)).all()
    assert [(k[0], n) for k, n, _ in rows] == [("a", 0), ("b", 1), ("c", 2)]
    assert {created for _, _, created in rows} == {LAST_SPRING}


def _draft(owner):
    conversation = open_conversation(owner)
    conversation.phase = ConversationPhase.DRAFT
    db.session.commit()
    return conversation


def test_a_draft_is_seen_by_its_facilitator_only(app, make_user):
    owner, other = make_user(roles=("facilitator",)), make_user(roles=("facilitator",))
    draft = _draft(owner)
    assert service.get_conversation(draft.id, user=owner) is draft
    for outsider in (other, make_user(), None):
        with pytest.raises(service.NotFound):
            service.get_conversation(draft.id, user=outsider)


def test_an_admin_facilitates_any_conversation(app, make_user):
    owner, admin = make_user(roles=("facilitator",)), make_user(roles=("admin",))
    conversation = open_conversation(owner)
    assert service.can_facilitate(admin, conversation)
    assert service.get_conversation(_draft(owner).id, user=admin) is not None


def test_an_official_facilitates_the_conversation_they_opened_only(app, make_user):
    official, colleague = make_user(roles=("official",)), make_user(roles=("official",))
    conversation = open_conversation(official)
    assert service.can_facilitate(official, conversation)
    assert not service.can_facilitate(colleague, conversation)
    assert not service.can_facilitate(official, None)


def test_strict_moderation_counts_only_accepted_statements(app):
    conversation = open_conversation(strict=True)
    conversation.statements[0].moderation = 0  # new: waits for a moderator
    db.session.commit()
    state = service.voting_state(conversation, ANON)
    assert state.total == 4
    assert state.statement is not None and state.statement.moderation == 1
    conversation.strict_moderation = False
    db.session.commit()
    assert service.voting_state(conversation, ANON).total == 5


def test_rejected_statements_are_not_counted(app):
    conversation = open_conversation()
    conversation.statements[2].moderation = -1
    db.session.commit()
    assert service.voting_state(conversation, ANON).total == 4


def test_own_statements_are_not_offered_but_the_others_are(app, make_user):
    author = make_user()
    conversation = open_conversation()
    conversation.statements[0].author_id = author.id
    db.session.commit()
    state = service.voting_state(conversation, service.Who(user=author))
    assert state.total == 4
    assert state.statement.id != conversation.statements[0].id


def test_an_anonymous_author_is_not_offered_their_own_statement(app):
    conversation = open_conversation(texts=["Only seed."])
    mine = service.write_statement(conversation.id, "My own idea.", who=ANON, now=utcnow())
    db.session.get(Statement, mine.id).moderation = 1
    db.session.commit()
    state = service.voting_state(conversation, ANON)
    assert state.total == 1
    assert state.statement.text == "Only seed."


def test_the_page_shows_own_votes_and_progress(app):
    conversation = open_conversation()
    sid = conversation.statements[1].id
    service.cast_vote(conversation.id, sid, -1, who=ANON, now=utcnow())
    state = service.voting_state(conversation, ANON)
    assert (state.votes, state.voted, state.total) == ({sid: -1}, 1, 5)
    assert state.statement.id != sid


def test_the_statement_asked_for_is_shown(app):
    conversation = open_conversation()
    for statement in conversation.statements:
        assert service.voting_state(conversation, ANON, pick=statement.id).statement is statement


def test_a_reload_shows_the_same_statement(app):
    conversation = open_conversation(texts=[f"Idea {n}." for n in range(40)])
    service.cast_vote(conversation.id, conversation.statements[0].id, 1, who=ANON,
                      now=utcnow())
    shown = {service.voting_state(conversation, ANON).statement.id for _ in range(15)}
    assert len(shown) == 1


def test_staff_write_in_a_staff_only_conversation(app, make_user):
    from core.process import Audience

    official = make_user(roles=("official",))
    conversation = open_conversation()
    conversation.audience = Audience.STAFF
    db.session.commit()
    statement = service.write_statement(conversation.id, "Staff idea.",
                                        who=service.Who(user=official), now=utcnow())
    assert db.session.get(Statement, statement.id).author_id == official.id


def test_the_lottery_follows_the_priorities_of_the_last_run(app):
    from deliberation.models import ConversationResult

    conversation = open_conversation(texts=[f"Idea {n}." for n in range(40)])
    favourite = conversation.statements[23]
    others = [s for s in conversation.statements if s is not favourite]
    db.session.add(ConversationResult(
        conversation_id=conversation.id, vote_seq=0, n_votes=0, computed_at=utcnow(),
        priorities={str(favourite.number): 5.0} | {str(s.number): 0.0 for s in others}))
    db.session.commit()
    for key in "abcdef":
        state = service.voting_state(conversation, service.Who(anon_key=key * 64))
        assert state.statement is favourite


def test_a_second_vote_replaces_the_first_with_its_time(app):
    conversation = open_conversation()
    sid = conversation.statements[0].id
    service.cast_vote(conversation.id, sid, 1, who=ANON, now=LAST_SPRING)
    later = LAST_SPRING + timedelta(hours=2)
    service.cast_vote(conversation.id, sid, -1, who=ANON, now=later)
    assert db.session.execute(select(Vote.value, Vote.modified_at)).all() == [(-1, later)]
