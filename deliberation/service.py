"""Conversation use cases: participate, vote, write, moderate, facilitate.

Each function that writes runs in one ``write_transaction()`` (docs/reliability.md §3a). A
vote is ``INSERT … ON CONFLICT DO UPDATE`` on UNIQUE(conversation, participant, statement),
so the latest vote wins and parallel clicks leave one row; a participant is created with
``ON CONFLICT DO NOTHING`` on UNIQUE(conversation, user) / (conversation, anon_key).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select, update

from core import audit
from core.db import db, execute_core, upsert, write_transaction
from core.roles import Role
from deliberation import phases, privacy
from deliberation.models import (
    Conversation,
    ConversationResult,
    Moderation,
    Participant,
    Statement,
    Vote,
)
from deliberation.phases import Status

VOTE_VALUES = (-1, 0, 1)


class NotFound(LookupError):
    """No such conversation or statement (or not visible to this person)."""


class NotAllowed(ValueError):
    """The conversation does not take this action now, or not from this person."""


@dataclass(frozen=True)
class Who:
    """The person acting: a logged-in user, or an anonymous browser's ``anon_key``."""

    user: object | None = None
    anon_key: str | None = None

    @property
    def known(self) -> bool:
        return self.user is not None or self.anon_key is not None


def get_conversation(conversation_id: int, *, user=None) -> Conversation:
    """The conversation if this user may see it (drafts only to its facilitators)."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not may_see(conversation, user):
        raise NotFound(conversation_id)
    return conversation


def may_see(conversation: Conversation, user) -> bool:
    """Whether `user` (None: a visitor) may see this conversation: not staff-only for them,
    and not a draft unless they may facilitate it."""
    if not conversation.visible_to(user):
        return False
    return conversation.phase is not phases.ConversationPhase.DRAFT or can_facilitate(
        user, conversation)


def status(conversation: Conversation, now: datetime) -> Status:
    return phases.status(conversation.phase, opens_at=conversation.opens_at,
                         closes_at=conversation.closes_at, now=now)


def _has(user, *roles) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.has_role(*roles))


def can_facilitate(user, conversation: Conversation | None = None) -> bool:
    """Admins, and facilitators (of this conversation: its owner, when one is given)."""
    if _has(user, Role.ADMIN):
        return True
    if (conversation is not None and _has(user, Role.OFFICIAL)
            and conversation.owner_id == user.id):  # opened from a petition by an official
        return True
    if not _has(user, Role.FACILITATOR):
        return False
    return conversation is None or conversation.owner_id in (None, user.id)


def can_moderate(user, conversation: Conversation) -> bool:
    return _has(user, Role.MODERATOR) or can_facilitate(user, conversation)


def find_participant(conversation_id: int, who: Who) -> Participant | None:
    if who.user is not None:
        query, value = _PARTICIPANT_OF_USER, who.user.id
    elif who.anon_key is not None:
        query, value = _PARTICIPANT_OF_BROWSER, who.anon_key
    else:
        return None
    return db.session.scalar(query, {"conversation_id": conversation_id, "key": value})


# Participant look-ups, built once (issue 13: a vote looks its voter up every time).
_PARTICIPANT_OF_USER, _PARTICIPANT_OF_BROWSER = (
    select(Participant).where(Participant.conversation_id == bindparam("conversation_id"),
                              column == bindparam("key"))
    for column in (Participant.user_id, Participant.anon_key))


def _ensure_participant(conversation: Conversation, who: Who, now: datetime) -> int:
    """The participant id of ``who`` in this conversation, created on first use."""
    if who.user is None and not conversation.anonymous_allowed:
        raise NotAllowed(_("Log in to take part in this conversation."))
    if not who.known:
        raise NotAllowed(_("Your browser did not keep our cookie; please allow cookies."))
    mailbox = None  # only a confirmed address: an unproved one learns nothing of the votes
    if who.user is not None and who.user.is_confirmed:
        mailbox = privacy.mailbox_key(who.user.email)
    existing, left = _participant_and_left_behind(conversation.id, who, mailbox)
    if left is not None:
        if existing is None:
            taken_back = _take_back(conversation.id, who.user, mailbox)
            if taken_back is not None:
                return taken_back
        else:
            _fold_into(left, existing.id, who.user.id)
    if existing is not None:
        return existing.id
    _lock_numbers(conversation.id)
    key = ({"user_id": who.user.id} if who.user is not None else {"anon_key": who.anon_key})
    next_number = (select(func.coalesce(func.max(Participant.number), -1) + 1)
                   .where(Participant.conversation_id == conversation.id).scalar_subquery())
    db.session.execute(
        upsert(Participant).values(conversation_id=conversation.id, number=next_number,
                                   created_at=now, **key)
        .on_conflict_do_nothing(index_elements=["conversation_id", *key]))
    return find_participant(conversation.id, who).id


def _participant_and_left_behind(conversation_id: int, who: Who, key: str | None,
                                 ) -> tuple[Participant | None, Participant | None]:
    """``who``'s participant, and the one its mailbox (`key`) left behind when it deleted an
    earlier account (deliberation.privacy), in one look-up (each half by its own index)."""
    if key is None:
        return find_participant(conversation_id, who), None
    found = db.session.scalars(_OWN_AND_LEFT_BEHIND, {
        "conversation_id": conversation_id, "user_id": who.user.id, "key": key}).all()
    existing = next((p for p in found if p.user_id == who.user.id), None)
    return existing, next((p for p in found if p.mailbox_key == key), None)


_OWN_AND_LEFT_BEHIND = select(Participant).where(Participant.id.in_(
    select(Participant.id).where(Participant.conversation_id == bindparam("conversation_id"),
                                 Participant.user_id == bindparam("user_id")).union_all(
        select(Participant.id).where(
            Participant.conversation_id == bindparam("conversation_id"),
            Participant.mailbox_key == bindparam("key")))))


def _take_back(conversation_id: int, user, key: str) -> int | None:
    """The participant this mailbox (`key`) left behind when it deleted an earlier account,
    now the account's, which has none here yet (one UPDATE, so two racing requests cannot
    both take it). Only for a confirmed address (`key` is None otherwise): an account that
    has not proved the mailbox is its own learns nothing of its votes. Returns the account's
    participant id, or None when another request took it first. With a participant of its
    own, the account gets the left-behind one merged in instead (`_fold_into`, the latest
    vote on each statement winning)."""
    taken = db.session.execute(
        update(Participant).where(Participant.conversation_id == conversation_id,
                                  Participant.mailbox_key == key)
        .values(user_id=user.id, mailbox_key=None)
        .execution_options(synchronize_session=False)).rowcount
    return db.session.scalar(select(Participant.id).where(
        Participant.conversation_id == conversation_id,
        Participant.user_id == user.id)) if taken else None


def _fold_into(source: Participant, target_id: int, user_id: int) -> None:
    """Move `source`'s votes to participant `target_id` where they are newer than its own,
    and its statements; then delete `source`. The conversation's math is recomputed."""
    for statement_id, value, modified_at in db.session.execute(
            select(Vote.statement_id, Vote.value, Vote.modified_at)
            .where(Vote.participant_id == source.id)):
        stmt = upsert(Vote).values(
            conversation_id=source.conversation_id, participant_id=target_id,
            statement_id=statement_id, value=value, modified_at=modified_at)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["conversation_id", "participant_id", "statement_id"],
            set_={"value": stmt.excluded.value, "modified_at": stmt.excluded.modified_at},
            where=Vote.modified_at < stmt.excluded.modified_at))
    db.session.execute(update(Statement).where(
        Statement.author_participant_id == source.id).values(
        author_participant_id=target_id, author_id=user_id))
    db.session.execute(delete(Participant).where(Participant.id == source.id))
    db.session.execute(update(Conversation).where(
        Conversation.id == source.conversation_id)
        .values(vote_seq=Conversation.vote_seq + 1))


def _lock_numbers(conversation_id: int) -> None:
    """Take the conversation's row lock before numbering a new participant or statement, so
    that concurrent newcomers get distinct numbers on PostgreSQL (READ COMMITTED: the next
    statement sees rows committed while we waited). SQLite's BEGIN IMMEDIATE already
    serialises writers; it ignores FOR UPDATE."""
    db.session.execute(select(Conversation.id).where(Conversation.id == conversation_id)
                       .with_for_update())


def _check_open(conversation: Conversation, now: datetime) -> None:
    if status(conversation, now) is not Status.OPEN:
        raise NotAllowed(_("This conversation is not open for participation."))


def cast_vote(conversation_id: int, statement_id: int, value: int, *, who: Who,
              now: datetime) -> Conversation:
    """Store this person's vote (+1 agree, -1 disagree, 0 pass); a later vote replaces it.
    Returns the conversation, as loaded (and checked) in the write transaction: NotFound
    when this person may not see it, so the web page need not load it before.

    The statements are built once (issue 13)."""
    if value not in VOTE_VALUES:
        raise NotAllowed(_("Choose agree, disagree or pass."))
    with write_transaction():
        conversation = db.session.execute(
            _CONVERSATION, {"conversation_id": conversation_id}).scalar()
        if conversation is None or not may_see(conversation, who.user):
            raise NotFound(conversation_id)
        _check_open(conversation, now)
        statement = execute_core(_STATEMENT, {"statement_id": statement_id}).first()
        if statement is None or statement.conversation_id != conversation.id:
            raise NotFound(statement_id)
        if not phases.votable(Statement.state_of(statement.moderation, statement.is_meta),
                              strict=conversation.strict_moderation):
            raise NotAllowed(_("This statement is not open for votes."))
        participant_id = _ensure_participant(conversation, who, now)
        # The conversation's row before the vote's (as a newcomer's numbering takes them):
        # one lock order for every path, so parallel votes on PostgreSQL never deadlock.
        execute_core(_NEXT_VOTE_SEQ, {"conversation_id": conversation.id})
        execute_core(_upsert_vote(db.session.get_bind().dialect.name), {
            "conversation_id": conversation.id, "participant_id": participant_id,
            "statement_id": statement_id, "value": value, "modified_at": now})
    return conversation


# cast_vote's statements, built once; all but the first run on the tables (`execute_core`).
_CONVERSATION = select(Conversation).where(Conversation.id == bindparam("conversation_id")) \
    .execution_options(populate_existing=True)
_STATEMENTS = Statement.__table__
_STATEMENT = select(_STATEMENTS.c.conversation_id, _STATEMENTS.c.moderation,
                    _STATEMENTS.c.is_meta).where(_STATEMENTS.c.id == bindparam("statement_id"))
_CONVERSATIONS = Conversation.__table__
# The session's conversation keeps the vote_seq it loaded (the commit expires it).
_NEXT_VOTE_SEQ = update(_CONVERSATIONS).where(
    _CONVERSATIONS.c.id == bindparam("conversation_id")).values(
    vote_seq=_CONVERSATIONS.c.vote_seq + 1)


@functools.cache
def _upsert_vote(dialect: str):
    """INSERT … ON CONFLICT (conversation, participant, statement) DO UPDATE, per dialect."""
    table = Vote.__table__
    stmt = upsert(table, dialect).values({name: bindparam(name) for name in (
        "conversation_id", "participant_id", "statement_id", "value", "modified_at")})
    return stmt.on_conflict_do_update(
        index_elements=["conversation_id", "participant_id", "statement_id"],
        set_={"value": stmt.excluded.value, "modified_at": stmt.excluded.modified_at})


@dataclass(frozen=True)
class VotingState:
    """What the voting page shows: the next statement (or None), progress, own votes."""

    statement: Statement | None
    voted: int
    total: int
    votes: dict[int, int]


def voting_state(conversation: Conversation, who: Who, *, pick=None) -> VotingState:
    """The next statement by the Polis lottery (§10, priorities of the last stored run)
    among the votable statements this person has not voted on and did not write.

    Seeded by participant and number of votes, so a reload shows the same statement."""
    participant = find_participant(conversation.id, who)
    rows = db.session.execute(
        select(Statement.id, Statement.number, Statement.moderation,
               Statement.author_id, Statement.author_participant_id)
        .where(Statement.conversation_id == conversation.id, Statement.moderation >= 0))
    strict = conversation.strict_moderation
    user_id = who.user.id if who.user is not None else None
    pid = participant.id if participant is not None else None
    numbers = {}
    for sid, number, moderation, author_id, author_pid in rows:
        if strict and moderation == 0:
            continue
        if (user_id is not None and author_id == user_id) or (pid and author_pid == pid):
            continue
        numbers[sid] = number
    votes = {}
    if participant is not None:
        votes = dict(db.session.execute(select(Vote.statement_id, Vote.value).where(
            Vote.participant_id == participant.id)).all())
    voted = sum(1 for sid in votes if sid in numbers)
    candidates = [sid for sid in numbers if sid not in votes]
    chosen = pick
    if chosen is None and candidates:
        priorities = db.session.scalar(select(ConversationResult.priorities).where(
            ConversationResult.conversation_id == conversation.id)) or {}
        by_id = {sid: priorities[str(numbers[sid])] for sid in candidates
                 if str(numbers[sid]) in priorities}
        chosen = phases.pick_statement(candidates, by_id, seed=(pid or 0) * 7919 + voted)
    statement = db.session.get(Statement, chosen) if chosen is not None else None
    if statement is not None and statement.id not in numbers:
        statement = None
    return VotingState(statement=statement, voted=voted, total=len(numbers), votes=votes)


def write_statement(conversation_id: int, text: str, *, who: Who, now: datetime) -> Statement:
    """A participant's new statement; it waits in the moderation queue (state new)."""
    with write_transaction():
        conversation = get_conversation(conversation_id, user=who.user)
        _check_open(conversation, now)
        if not conversation.participants_can_write:
            raise NotAllowed(_("This conversation does not take new statements."))
        text = " ".join(text.split())
        if not text:
            raise NotAllowed(_("Write a statement."))
        if len(text) > conversation.statement_max_length:
            raise NotAllowed(_("Use at most %(max)d characters.",
                               max=conversation.statement_max_length))
        participant_id = _ensure_participant(conversation, who, now)
        _lock_numbers(conversation.id)
        statement = Statement(conversation_id=conversation.id, text=text, created_at=now,
                              author_id=who.user.id if who.user is not None else None,
                              author_participant_id=participant_id)
        db.session.add(statement)
    return statement


def moderate(conversation_id: int, statement_ids: list[int], target: Moderation, *,
             reason: str, actor, now: datetime) -> int:
    """Move statements to ``target`` (accepted/rejected/meta) with a reason; one audit entry
    per statement. Statements already in ``target`` are skipped; returns how many moved."""
    with write_transaction():
        conversation = get_conversation(conversation_id, user=actor)
        if not can_moderate(actor, conversation):
            raise PermissionError("not a moderator of this conversation")
        statements = list(db.session.scalars(select(Statement).where(
            Statement.conversation_id == conversation.id, Statement.id.in_(statement_ids))))
        if len(statements) != len(set(statement_ids)):
            raise NotFound(statement_ids)
        moved = 0
        for statement in statements:
            if statement.state is target:
                continue
            phases.check_transition(phases.MODERATION, statement.state, target)
            before = statement.state
            statement.state = target
            statement.moderation_reason = reason.strip()
            statement.moderated_at = now
            audit.record(actor, f"statement.{target}", "statement", statement.id, now=now,
                         conversation=conversation.id, before=str(before),
                         reason=reason.strip())
            moved += 1
        if moved:  # moderation changes the math (mod-out columns): recompute
            conversation.vote_seq += 1
    return moved


def moderation_queue(conversation: Conversation) -> list[Statement]:
    return list(db.session.scalars(select(Statement).where(
        Statement.conversation_id == conversation.id, Statement.moderation == 0,
        Statement.is_meta.is_(False)).order_by(Statement.id)))


def merge_anonymous(user, anon_key: str, *, now: datetime) -> int:
    """Give an account the anonymous votes of this browser (on login): per conversation the
    anonymous participant becomes the account's, or, when the account already takes part,
    its votes move over where they are newer. Returns how many participations merged."""
    with write_transaction():
        anonymous = list(db.session.scalars(select(Participant).where(
            Participant.anon_key == anon_key)))
        for participant in anonymous:
            mine = db.session.scalar(select(Participant).where(
                Participant.conversation_id == participant.conversation_id,
                Participant.user_id == user.id))
            if mine is None:
                participant.user_id, participant.anon_key = user.id, None
                continue
            _fold_into(participant, mine.id, user.id)
    return len(anonymous)
