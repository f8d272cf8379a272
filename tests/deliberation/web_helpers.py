"""Helpers for the conversation web tests: an open conversation with statements."""
from __future__ import annotations

from core.db import db
from core.process import Audience, Commitment
from deliberation.models import Conversation, ConversationPhase, Statement

TEXTS = ["More trees in the park.", "Free buses for students.", "Longer library hours.",
         "A weekly farmers market.", "Car-free Sundays downtown."]


def open_conversation(owner=None, *, strict=False, anonymous=True, texts=TEXTS,
                      **fields) -> Conversation:
    conversation = Conversation(
        title="Our town", description="What matters?", phase=ConversationPhase.OPEN,
        commitment=Commitment.ADVISORY, audience=Audience.PUBLIC,
        owner_id=owner.id if owner else None, strict_moderation=strict,
        anonymous_allowed=anonymous, **fields)
    conversation.statements = [Statement(text=t, moderation=1) for t in texts]
    db.session.add(conversation)
    db.session.commit()
    return conversation
