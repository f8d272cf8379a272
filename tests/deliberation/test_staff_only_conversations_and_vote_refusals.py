"""Staff take part in and moderate a staff-only conversation that the public cannot reach; a
vote on a rejected or unknown statement is refused with its reason; rejected statements leave
the "n of m voted" total (killed issue-15 mutation survivors in deliberation/service.py:
`cast_vote` 9, 24, 27, `moderate` 3, 5, `voting_state` 11)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.process import Audience
from deliberation import service
from deliberation.models import Statement, Vote
from deliberation.phases import Moderation
from tests.deliberation.web_helpers import open_conversation


def _staff_only():
    conversation = open_conversation()
    conversation.audience = Audience.STAFF
    db.session.commit()
    return conversation


def _votes():
    return db.session.scalar(select(func.count()).select_from(Vote))


@pytest.mark.parametrize("role", ["official", "moderator"])
def test_staff_vote_in_a_staff_only_conversation(app, make_user, role):
    member = make_user(roles=(role,))
    conversation = _staff_only()
    sid = conversation.statements[0].id
    service.cast_vote(conversation.id, sid, 1, who=service.Who(user=member), now=utcnow())
    assert db.session.scalars(select(Vote.value).where(Vote.statement_id == sid)).all() == [1]


def test_a_citizen_cannot_vote_in_a_staff_only_conversation(app, make_user):
    citizen = make_user()
    conversation = _staff_only()
    with pytest.raises(service.NotFound):
        service.cast_vote(conversation.id, conversation.statements[0].id, 1,
                          who=service.Who(user=citizen), now=utcnow())
    db.session.rollback()
    assert _votes() == 0


def test_a_visitors_vote_in_a_conversation_they_may_not_see_is_a_404(app, client, make_user,
                                                                     login_as):
    """The vote page checks visibility on the conversation the vote loads (issue 13: loaded
    once): a staff-only one, or a draft, is a 404 for a visitor and a citizen, stores
    nothing, and gives a visitor no participation cookie; its staff may vote."""
    from deliberation.models import ConversationPhase, Participant

    hidden = _staff_only()
    draft = open_conversation()
    draft.phase = ConversationPhase.DRAFT
    db.session.commit()
    targets = [(c.id, c.statements[0].id) for c in (hidden, draft)]
    for conversation_id, sid in targets:
        response = client.post(f"/conversations/{conversation_id}/vote",
                               data={"statement_id": sid, "vote": "agree"})
        assert response.status_code == 404
        assert "conversation_id=" not in response.headers.get("Set-Cookie", "")
    login_as(client, make_user())
    for conversation_id, sid in targets:
        assert client.post(f"/conversations/{conversation_id}/vote",
                           data={"statement_id": sid, "vote": "agree"},
                           headers={"Accept": "application/json"}).status_code == 404
    assert client.get_cookie("conversation_id") is None
    assert _votes() == 0
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
    login_as(client, make_user(roles=("moderator",)))
    conversation_id, sid = targets[0]
    assert client.post(f"/conversations/{conversation_id}/vote",
                       data={"statement_id": sid, "vote": "agree"}).status_code == 302
    assert _votes() == 1


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_moderate_a_staff_only_conversation(app, make_user, role):
    moderator = make_user(roles=(role,))
    conversation = _staff_only()
    sid = conversation.statements[0].id
    moved = service.moderate(conversation.id, [sid], Moderation.REJECTED, reason="off topic",
                             actor=moderator, now=utcnow())
    assert moved == 1
    assert db.session.get(Statement, sid).state is Moderation.REJECTED


def test_a_vote_on_a_rejected_statement_is_refused_with_the_reason(app, client, make_user):
    conversation = open_conversation()
    rejected = conversation.statements[0]
    rejected.moderation = -1
    db.session.commit()
    with pytest.raises(service.NotAllowed) as refused:
        service.cast_vote(conversation.id, rejected.id, 1, who=service.Who(anon_key="k" * 64),
                          now=utcnow())
    assert str(refused.value) == "This statement is not open for votes."
    db.session.rollback()
    response = client.post(f"/conversations/{conversation.id}/vote",
                           data={"statement_id": rejected.id, "vote": "agree"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "This statement is not open for votes."}
    assert _votes() == 0


def test_a_vote_on_a_statement_of_another_conversation_is_refused_by_its_id(app):
    mine, theirs = open_conversation(), open_conversation()
    foreign = theirs.statements[0].id
    with pytest.raises(service.NotFound) as missing:
        service.cast_vote(mine.id, foreign, 1, who=service.Who(anon_key="k" * 64),
                          now=utcnow())
    assert missing.value.args == (foreign,)
    db.session.rollback()
    assert _votes() == 0


def test_rejected_statements_leave_the_progress_total(app):
    conversation = open_conversation()
    first, rejected = conversation.statements[0], conversation.statements[1]
    rejected.moderation = -1
    db.session.commit()
    who = service.Who(anon_key="k" * 64)
    service.cast_vote(conversation.id, first.id, 1, who=who, now=utcnow())
    state = service.voting_state(conversation, who)
    assert (state.voted, state.total) == (1, len(conversation.statements) - 1)
    assert state.statement is not None and state.statement.id not in (first.id, rejected.id)
