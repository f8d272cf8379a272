"""Forgetting voters (docs/reliability.md §2e): detach ballots from the people who cast
them, for account deletion (registered with core.privacy in create_app) and for
`flask budgets anonymise` after a closed vote. Counts and outcomes never change.

A ballot keeps its choice, channel, times and receipt (which only its voter holds); its
``voter_key`` (``u<user id>`` or ``c<voter code id>``) becomes ``anon:`` + a random token,
unique like the key it replaces, so UNIQUE(process_id, voter_key) still holds and nothing
in the database leads back to the person.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update

from core.db import NO_SYNC, db, write_transaction
from pb.models import Ballot, BudgetProcess, BudgetProject, EligibleVoter
from pb.phases import Phase

ANONYMOUS_PREFIX = "anon:"
CLOSED = (Phase.RESULTS, Phase.IMPLEMENTATION)


def _pseudonymise_ballots(*where) -> int:
    """Give every matching ballot a fresh random voter key; returns how many."""
    ids = db.session.scalars(select(Ballot.id).where(*where)).all()
    if ids:
        table = Ballot.__table__
        db.session.execute(
            update(table).where(table.c.id == bindparam("bid"))
            .values(voter_key=bindparam("key")),
            [{"bid": bid, "key": ANONYMOUS_PREFIX + secrets.token_hex(16)} for bid in ids])
    return len(ids)


def forget_user(user) -> None:
    """Account deletion hook: the user's ballots lose their link to the account, their
    proposals lose their proposer, their address leaves every eligibility list. Runs in
    the caller's transaction."""
    _pseudonymise_ballots(Ballot.voter_key == f"u{user.id}")
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
