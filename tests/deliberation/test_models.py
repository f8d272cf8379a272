"""Conversation phases follow their transition table (core.states), like petitions and budgets."""
from __future__ import annotations

import pytest

from core.states import InvalidTransition, sources
from deliberation.models import PHASE_TRANSITIONS, Conversation, ConversationPhase


def test_every_phase_is_in_the_table_and_closed_is_final():
    assert set(PHASE_TRANSITIONS) == set(ConversationPhase)
    assert PHASE_TRANSITIONS[ConversationPhase.CLOSED] == frozenset()
    assert sources(PHASE_TRANSITIONS, ConversationPhase.OPEN) == {ConversationPhase.DRAFT}


def test_a_conversation_opens_then_closes_and_never_skips_a_phase():
    conversation = Conversation(title="Parks", phase=ConversationPhase.DRAFT)
    with pytest.raises(InvalidTransition, match="draft to closed") as refused:
        conversation.move_to(ConversationPhase.CLOSED)
    assert refused.value.current == ConversationPhase.DRAFT
    conversation.move_to(ConversationPhase.OPEN)
    assert conversation.is_open
    conversation.move_to(ConversationPhase.CLOSED)
    assert not conversation.is_open
    with pytest.raises(InvalidTransition):
        conversation.move_to(ConversationPhase.OPEN)
