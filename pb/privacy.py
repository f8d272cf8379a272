"""Forgetting voters (docs/reliability.md §2e): detach ballots from the people who cast
them, for account deletion (registered with core.privacy in create_app) and for
`flask budgets anonymise` after a closed vote. Counts and outcomes never change.

A ballot keeps its choice, channel, times and receipt (which only its voter holds); its
``voter_key`` (``u<user id>`` or ``c<voter code id>``) becomes ``anon:`` + a random token,
unique like the key it replaces, so UNIQUE(process_id, voter_key) still holds and nothing
in the database leads back to the person.

On account deletion the new key is not random but ``anon:`` + the account's
:func:`mailbox_key` (a keyed hash of its canonical email), so the same mailbox registering
again cannot add a second ballot: see :func:`pb.voting.cast`. UNIQUE(process_id,
voter_key) keeps it at one such row per mailbox and process.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

# The keyed hash needs the app's secret key, and only the app knows it (as petitions.privacy).
from flask import current_app  # noqa: TID251
from sqlalchemy import bindparam, delete, func, select, update

from core import privacy as core_privacy
from core.db import NO_SYNC, db, write_transaction
from pb.models import Ballot, BudgetProcess, BudgetProject, EligibleVoter
from pb.phases import Phase

ANONYMOUS_PREFIX = "anon:"
CLOSED = (Phase.RESULTS, Phase.IMPLEMENTATION)


def mailbox_key(email: str | None) -> str | None:
    """The voter key an erased account's ballots keep: ``anon:`` + HMAC of its mailbox."""
    key = core_privacy.mailbox_key(current_app.secret_key, "ballot", email)
    return None if key is None else ANONYMOUS_PREFIX + key


def _pseudonymise_ballots(*where, keep=None) -> int:
    """Give every matching ballot a fresh random voter key, or `keep` (the mailbox key)
    where that process has no ballot under it yet; returns how many."""
    rows = db.session.execute(select(Ballot.id, Ballot.process_id).where(*where)).all()
    if rows:
        taken = set(db.session.scalars(select(Ballot.process_id).where(
            Ballot.voter_key == keep, Ballot.process_id.in_({p for _b, p in rows}))))
        table = Ballot.__table__
        db.session.execute(
            update(table).where(table.c.id == bindparam("bid"))
            .values(voter_key=bindparam("key")),
            [{"bid": bid, "key": keep if keep and pid not in taken
              else ANONYMOUS_PREFIX + secrets.token_hex(16)} for bid, pid in rows])
    return len(rows)


def forget_user(user) -> None:
    """Account deletion hook: the user's ballots lose their link to the account, their
    proposals lose their proposer, their address leaves every eligibility list. Runs in
    the caller's transaction. The ballots keep the mailbox key, so that the same person
    registering again replaces them rather than voting twice (a second account of the same
    mailbox that already left one there gets a random key: deletion changes no count)."""
    _pseudonymise_ballots(Ballot.voter_key == f"u{user.id}", keep=mailbox_key(user.email))
    db.session.execute(update(BudgetProject).where(BudgetProject.proposer_id == user.id)
                       .values(proposer_id=None), execution_options=NO_SYNC)
    if user.email:
        db.session.execute(delete(EligibleVoter).where(EligibleVoter.email == user.email),
                           execution_options=NO_SYNC)


def anonymise(*, now: datetime, after_days: int) -> list[int]:
    """`after_days` after a vote closed (results or implementation phase): every ballot's
    voter key becomes a random one (accounts and voter codes alike), proposers are
    forgotten and the eligibility list is deleted. Idempotent; returns the processes that
    had anything left to forget."""
    if after_days < 0:
        raise ValueError("after_days must be >= 0")
    cutoff = now - timedelta(days=after_days)
    closed = func.coalesce(BudgetProcess.closed_at, BudgetProcess.results_at)
    ids = db.session.scalars(select(BudgetProcess.id).where(
        BudgetProcess.phase.in_(CLOSED), closed <= cutoff).order_by(BudgetProcess.id)).all()
    db.session.rollback()
    done = []
    for pid in ids:
        with write_transaction():
            changed = _pseudonymise_ballots(Ballot.process_id == pid,
                                            ~Ballot.voter_key.startswith(ANONYMOUS_PREFIX))
            changed += db.session.execute(
                update(BudgetProject).where(BudgetProject.process_id == pid,
                                            BudgetProject.proposer_id.is_not(None))
                .values(proposer_id=None), execution_options=NO_SYNC
            ).rowcount
            changed += db.session.execute(
                delete(EligibleVoter).where(EligibleVoter.process_id == pid),
                execution_options=NO_SYNC).rowcount
        if changed:
            done.append(pid)
    return done
