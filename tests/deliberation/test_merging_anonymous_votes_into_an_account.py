"""Logging in merges this browser's anonymous votes into the account: per conversation, the
newer vote wins (a tie keeps the account's), new cells keep their time, the anonymous
statements become the account's, and every conversation of the browser is merged (killed
issue-15 mutation survivors in deliberation/service.py `merge_anonymous`)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import db, utcnow
from deliberation import service
from deliberation.models import Conversation, Participant, Statement, Vote
from tests.deliberation.web_helpers import open_conversation

KEY = "m" * 64


def _votes(participant_user_id, conversation_id):
    db.session.expire_all()
    return {sid: (value, at) for sid, value, at in db.session.execute(
        select(Vote.statement_id, Vote.value, Vote.modified_at).join(
            Participant, Participant.id == Vote.participant_id).where(
            Participant.user_id == participant_user_id,
            Vote.conversation_id == conversation_id))}


def test_the_newer_vote_wins_and_a_tie_keeps_the_accounts(app, make_user):
    user = make_user()
    conversation = open_conversation()
    a, b, c, d = (s.id for s in conversation.statements[:4])
    t = utcnow().replace(microsecond=0)
    me, anon = service.Who(user=user), service.Who(anon_key=KEY)
    service.cast_vote(conversation.id, a, 1, who=me, now=t)                      # older
    service.cast_vote(conversation.id, b, 1, who=me, now=t + timedelta(minutes=9))  # newer
    service.cast_vote(conversation.id, c, 1, who=me, now=t + timedelta(minutes=3))  # same time
    service.cast_vote(conversation.id, a, -1, who=anon, now=t + timedelta(minutes=3))
    service.cast_vote(conversation.id, b, -1, who=anon, now=t + timedelta(minutes=3))
    service.cast_vote(conversation.id, c, -1, who=anon, now=t + timedelta(minutes=3))
    service.cast_vote(conversation.id, d, 0, who=anon, now=t + timedelta(minutes=4))

    assert service.merge_anonymous(user, KEY, now=t + timedelta(minutes=10)) == 1
    assert _votes(user.id, conversation.id) == {
        a: (-1, t + timedelta(minutes=3)), b: (1, t + timedelta(minutes=9)),
        c: (1, t + timedelta(minutes=3)), d: (0, t + timedelta(minutes=4))}
    assert db.session.scalar(select(Participant).where(Participant.anon_key == KEY)) is None


def test_anonymous_statements_become_the_accounts(app, make_user):
    user = make_user()
    conversation, untouched = open_conversation(), open_conversation()
    t = utcnow()
    service.cast_vote(conversation.id, conversation.statements[0].id, 1,
                      who=service.Who(user=user), now=t)
    untouched_seq = db.session.get(Conversation, untouched.id).vote_seq
    written = service.write_statement(conversation.id, "Benches at the bus stops.",
                                      who=service.Who(anon_key=KEY), now=t)
    seq_before = db.session.get(Conversation, conversation.id).vote_seq
    service.merge_anonymous(user, KEY, now=t)
    db.session.expire_all()
    statement = db.session.get(Statement, written.id)
    mine = db.session.scalar(select(Participant).where(
        Participant.user_id == user.id, Participant.conversation_id == conversation.id))
    assert (statement.author_id, statement.author_participant_id) == (user.id, mine.id)
    other = conversation.statements[1]
    assert (other.author_id, other.author_participant_id) == (None, None)
    assert db.session.get(Conversation, conversation.id).vote_seq == seq_before + 1
    assert db.session.get(Conversation, untouched.id).vote_seq == untouched_seq


def test_every_conversation_of_the_browser_is_merged_into_the_right_participation(
        app, make_user):
    user = make_user()
    only_anonymous, both = open_conversation(), open_conversation()
    t = utcnow()
    anon = service.Who(anon_key=KEY)
    # the browser's first participation is in a conversation the account never joined
    service.cast_vote(only_anonymous.id, only_anonymous.statements[0].id, 1, who=anon, now=t)
    service.cast_vote(both.id, both.statements[0].id, 1, who=service.Who(user=user), now=t)
    service.cast_vote(both.id, both.statements[1].id, -1, who=anon, now=t)

    assert service.merge_anonymous(user, KEY, now=t) == 2
    assert _votes(user.id, only_anonymous.id) == {only_anonymous.statements[0].id: (1, t)}
    assert {sid: v for sid, (v, _) in _votes(user.id, both.id).items()} == {
        both.statements[0].id: 1, both.statements[1].id: -1}
    assert db.session.scalar(select(Participant).where(Participant.anon_key == KEY)) is None
