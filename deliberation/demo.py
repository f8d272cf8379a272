"""Demo conversations for `flask seed-demo` (idempotent: looked up by title).

One small open conversation voted by the demo voters, and the real vTaiwan UberX
conversation imported (closed) from ../shared/data/polis when that folder is there.
Both get their math computed here, so the maps show at once."""
from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from accounts.demo import demo_voters
from core.db import db, utcnow, write_transaction
from core.process import Audience, Commitment
from core.roles import Role
from deliberation.models import Conversation, ConversationPhase, Participant, Statement, Vote

TITLE = "What should the city centre feel like in 2030?"
STATEMENTS = [
    "Cars should be banned from the old town on weekends.",
    "More trees matter more than more parking spaces.",
    "Shops in the centre need delivery access at all hours.",
    "The market square should host free events every month.",
    "Bus fares in the centre should be free for under-18s.",
    "Night-time noise rules should be enforced more strictly.",
    "Empty shops should be offered to artists at low rent.",
    "This conversation should also ask people who work here but live elsewhere.",
]
META_INDEX = 7
# Two opinion groups, so the demo has something to cluster: "green" and "business" voters.
_LEANING = [1, 1, -1, 1, 1, -1, 1, 0]


POLIS_EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "polis" / "vtaiwan.uberx"
POLIS_TITLE = "UberX: should ride-hailing follow taxi rules? (vTaiwan, 2015)"


def seed(users) -> None:
    """The demo conversations (see the module docstring)."""
    _seed_small(users)
    _seed_polis_example(users)


def _seed_polis_example(users) -> None:
    from deliberation.results import recompute
    from deliberation.transfer import import_export

    if not POLIS_EXAMPLE.is_dir() or db.session.scalar(
            select(Conversation).where(Conversation.title == POLIS_TITLE)):
        return
    conversation = import_export(POLIS_EXAMPLE, actor=users["facilitator"], now=utcnow(),
                                 title=POLIS_TITLE)
    recompute(conversation.id, now=utcnow())


def _seed_small(users) -> None:
    """An open advisory conversation with statements and votes from the demo voters."""
    if db.session.scalar(select(Conversation).where(Conversation.title == TITLE)):
        return
    rng = random.Random(2030)  # same demo every time
    with write_transaction():
        conversation = Conversation(
            title=TITLE, commitment=Commitment.ADVISORY, audience=Audience.PUBLIC,
            phase=ConversationPhase.OPEN, owner_id=users[Role.FACILITATOR].id,
            description="The council's urban planning team will read the opinion groups and "
                        "the statements most people agree on before drafting the 2030 plan.")
        conversation.statements = [
            Statement(text=text, author_id=users[Role.FACILITATOR].id, moderation=1,
                      is_meta=(i == META_INDEX))
            for i, text in enumerate(STATEMENTS)]
        db.session.add(conversation)
        db.session.flush()
        for n, voter in enumerate(demo_voters()):
            participant = Participant(conversation_id=conversation.id, user_id=voter.id)
            db.session.add(participant)
            db.session.flush()
            sign = 1 if n % 3 else -1  # one voter in three leans the other way
            for statement, leaning in zip(conversation.statements, _LEANING, strict=True):
                if rng.random() < 0.2:
                    continue  # not everyone votes on everything
                value = leaning * sign if rng.random() < 0.8 else rng.choice((-1, 0, 1))
                db.session.add(Vote(conversation_id=conversation.id,
                                    participant_id=participant.id,
                                    statement_id=statement.id, value=value))
        conversation.vote_seq = 1
    from deliberation.results import recompute

    recompute(conversation.id, now=utcnow())
