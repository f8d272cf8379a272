"""Statement moderation through the service: only a moderator of this conversation moves
statements, only this conversation's, each move is stamped and audited, the count and the
recompute sequence follow the moves, and the queue holds this conversation's new statements
in order (killed issue-15 mutation survivors in deliberation/service.py `moderate` and
`moderation_queue`)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db, utcnow
from deliberation import service
from deliberation.models import Conversation, Statement
from deliberation.phases import Moderation
from tests.deliberation.web_helpers import open_conversation


def _new_statements(conversation, n, now):
    def who(k):
        return service.Who(anon_key=f"{conversation.id}-{k}".ljust(64, "q"))

    return [service.write_statement(conversation.id, f"Idea {conversation.id}-{k}", who=who(k),
                                    now=now) for k in range(n)]


def test_a_facilitator_moderates_only_the_conversations_they_own(app, make_user):
    owner, other = make_user(roles=("facilitator",)), make_user(roles=("facilitator",))
    conversation = open_conversation(owner)
    sid = conversation.statements[0].id
    with pytest.raises(PermissionError) as refused:
        service.moderate(conversation.id, [sid], Moderation.REJECTED, reason="spam",
                         actor=other, now=utcnow())
    assert str(refused.value) == "not a moderator of this conversation"
    db.session.rollback()
    assert db.session.get(Statement, sid).state is Moderation.ACCEPTED


def test_statements_of_another_conversation_are_refused(app, make_user):
    moderator = make_user(roles=("moderator",))
    mine, theirs = open_conversation(), open_conversation()
    foreign = theirs.statements[0].id
    with pytest.raises(service.NotFound) as missing:
        service.moderate(mine.id, [mine.statements[0].id, foreign], Moderation.REJECTED,
                         reason="off topic", actor=moderator, now=utcnow())
    assert missing.value.args == ([mine.statements[0].id, foreign],)
    db.session.rollback()
    assert db.session.get(Statement, foreign).state is Moderation.ACCEPTED


def test_each_move_is_stamped_audited_and_counted(app, make_user):
    moderator = make_user(roles=("moderator",))
    conversation = open_conversation()
    now = utcnow()
    already, first, second = (s.id for s in conversation.statements[:3])
    service.moderate(conversation.id, [already], Moderation.REJECTED, reason="x",
                     actor=moderator, now=now)
    seq = db.session.get(Conversation, conversation.id).vote_seq
    moved = service.moderate(conversation.id, [already, first, second], Moderation.REJECTED,
                             reason="  duplicate  ", actor=moderator, now=now)
    assert moved == 2
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).vote_seq == seq + 1
    for sid in (first, second):
        statement = db.session.get(Statement, sid)
        assert (statement.state, statement.moderation_reason, statement.moderated_at) == (
            Moderation.REJECTED, "duplicate", now)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.target_id.in_([str(first), str(second)])).order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.action, e.target_type, e.target_id, e.at, e.details)
            for e in entries] == [
        (moderator.id, "statement.rejected", "statement", str(sid), now,
         {"conversation": conversation.id, "before": "accepted", "reason": "duplicate"})
        for sid in sorted((first, second))]
    assert service.moderate(conversation.id, [first], Moderation.REJECTED, reason="x",
                            actor=moderator, now=now) == 0
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).vote_seq == seq + 1


def test_the_queue_holds_this_conversations_new_statements_in_order(app):
    mine, theirs = open_conversation(), open_conversation()
    now = utcnow()
    new = _new_statements(mine, 3, now)
    _new_statements(theirs, 1, now)
    meta = _new_statements(mine, 1, now)[0]
    meta.is_meta = True
    db.session.commit()
    assert [s.id for s in service.moderation_queue(mine)] == sorted(s.id for s in new)


def test_a_vote_other_than_agree_disagree_or_pass_is_refused_with_the_reason(app):
    conversation = open_conversation()
    with pytest.raises(service.NotAllowed) as refused:
        service.cast_vote(conversation.id, conversation.statements[0].id, 2,
                          who=service.Who(anon_key="v" * 64), now=utcnow())
    assert str(refused.value) == "Choose agree, disagree or pass."


def test_a_vote_is_stored_at_its_time_and_bumps_the_sequence_once(app):
    from datetime import timedelta

    from deliberation.models import Vote

    conversation, other = open_conversation(), open_conversation()
    then = utcnow() - timedelta(hours=3)
    seq = db.session.get(Conversation, conversation.id).vote_seq
    other_seq = db.session.get(Conversation, other.id).vote_seq
    service.cast_vote(conversation.id, conversation.statements[0].id, -1,
                      who=service.Who(anon_key="t" * 64), now=then)
    db.session.expire_all()
    assert db.session.execute(select(Vote.value, Vote.modified_at)).one() == (-1, then)
    assert db.session.get(Conversation, conversation.id).vote_seq == seq + 1
    assert db.session.get(Conversation, other.id).vote_seq == other_seq


def test_a_vote_on_a_statement_waiting_for_strict_moderation_is_refused_with_the_reason(app):
    conversation = open_conversation(strict=True)
    waiting = _new_statements(conversation, 1, utcnow())[0]
    with pytest.raises(service.NotAllowed) as refused:
        service.cast_vote(conversation.id, waiting.id, 1, who=service.Who(anon_key="w" * 64),
                          now=utcnow())
    assert str(refused.value) == "This statement is not open for votes."
