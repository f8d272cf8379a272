"""Which actions a petition's page offers to whom, and when a response or debate is shown as
"not owed" (killed issue-15 mutation survivors in petitions/lifecycle.py `allowed_actions`
and `never_owed`). Pure: no app."""
from __future__ import annotations

import pytest

from core.roles import Role
from petitions.lifecycle import (
    Action,
    DebateState,
    PetitionState,
    ResponseState,
    allowed_actions,
    never_owed,
)

S = PetitionState


def _actions(state, *, creator=False, debate=DebateState.NOT_NEEDED, roles=frozenset()):
    return allowed_actions(state=state, debate_state=debate, is_creator=creator, roles=roles)


@pytest.mark.parametrize("state", list(S))
def test_only_an_open_petition_offers_signing(state):
    assert (Action.SIGN in _actions(state)) is (state is S.OPEN)
    assert _actions(state) <= {Action.SIGN}  # a reader who is not the creator: nothing else


@pytest.mark.parametrize("state", list(S))
def test_the_creator_submits_a_draft_and_shares_the_sponsor_link_while_sponsoring(state):
    offered = _actions(state, creator=True)
    assert (Action.SUBMIT in offered) is (state is S.DRAFT)
    assert (Action.SHARE_SPONSOR_LINK in offered) is (state is S.SPONSORING)


@pytest.mark.parametrize(("debate", "roles", "offered"), [
    (DebateState.AWAITING, frozenset({Role.MODERATOR}), True),
    (DebateState.AWAITING, frozenset({Role.ADMIN}), True),
    (DebateState.AWAITING, frozenset({Role.OFFICIAL}), False),
    (DebateState.AWAITING, frozenset(), False),
    (DebateState.NOT_NEEDED, frozenset({Role.MODERATOR}), False),
    (DebateState.DEBATED, frozenset({Role.MODERATOR}), False),
])
def test_only_moderators_record_an_awaited_debate(debate, roles, offered):
    assert (Action.RECORD_DEBATE in _actions(S.CLOSED, debate=debate, roles=roles)) is offered


@pytest.mark.parametrize("stage", [ResponseState.NOT_NEEDED, DebateState.NOT_NEEDED,
                                   ResponseState.AWAITING, DebateState.AWAITING,
                                   ResponseState.RESPONDED, DebateState.DEBATED])
@pytest.mark.parametrize("state", list(S))
def test_a_stage_is_never_owed_only_when_not_needed_and_the_petition_ended(stage, state):
    expected = stage in (ResponseState.NOT_NEEDED, DebateState.NOT_NEEDED) and \
        state in (S.CLOSED, S.REJECTED)
    assert never_owed(stage, state) is expected
