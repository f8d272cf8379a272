"""Voting use cases: cast or change a ballot, voter codes, eligibility lists, paper ballots.

Each write is one `write_transaction()` (docs/reliability.md §3a). A ballot is an
``INSERT … ON CONFLICT (process_id, voter_key) DO UPDATE``: one row per voter per process,
the last ballot counts. A voter code is spent by ``UPDATE … WHERE used_at IS NULL`` and only
the transaction that changed the row may vote with it (§3b "exactly-once guard").
"""
from __future__ import annotations

import csv
import functools
import io
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from core import audit
from core.db import db, execute_core, upsert, write_transaction
from pb.ballots import Choice, Problem, check_choice, read_choice
from pb.models import (
    Ballot,
    BudgetProcess,
    BudgetProject,
    BudgetResult,
    EligibleVoter,
    Phase,
    ProjectStatus,
    VoterCode,
)
from pb.privacy import mailbox_key

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class NotFound(LookupError):
    """No such process (or not one this person may see)."""


class VotingClosed(ValueError):
    """The process is not in its voting phase."""


class NotEligible(PermissionError):
    """This account may not vote here: ``reason`` is "unconfirmed" (its email address is not
    confirmed yet), "list" (not on the eligibility list of emails) or "area" (its area is
    not one the process is limited to)."""

    def __init__(self, process_id: int, reason: str = "list"):
        super().__init__(process_id, reason)
        self.reason = reason


class CodeUnusable(ValueError):
    """The voter code is unknown, for another process, or already used."""


class InvalidBallot(ValueError):
    """The ballot breaks the rules; ``problems`` lists why (pb.ballots.Problem)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.code for p in problems))
        self.problems = problems


def new_code(length: int = 12) -> str:
    """A random code in groups of four (``ABCD-EFGH-JKLM``), easy to read out and type."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(length))
    return "-".join(raw[i:i + 4] for i in range(0, length, 4))


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def voting_open(process: BudgetProcess, now: datetime) -> bool:
    closes = process.results_at
    return process.phase == Phase.VOTING and (closes is None or now < closes)


def needs_confirmation(user) -> bool:
    """True for an account whose email address is not confirmed: it may not vote yet.
    Anyone may type any address at registration; without this, N made-up addresses would
    cast N ballots, and a typed address on the eligibility list would pass as its owner
    (issue 13: nothing forged). Petitions treat such accounts the same way: their one-click
    signature waits for an emailed confirmation."""
    return user is not None and not user.is_confirmed


def ineligibility(process: BudgetProcess, user) -> str | None:
    """Why `user` may not vote in `process` ("unconfirmed", "list" or "area"), or None:
    anyone with a confirmed account may, unless the process limits voting to a list of
    emails and/or to areas (each limit that is set applies). Voter codes need no account."""
    if needs_confirmation(user):
        return "unconfirmed"
    if process.eligibility_limited and db.session.scalar(select(EligibleVoter.id).where(
            EligibleVoter.process_id == process.id,
            EligibleVoter.email == (user.email or "").lower())) is None:
        return "list"
    if process.eligible_areas and (user.area or "") not in process.eligible_areas:
        return "area"
    return None


def is_eligible(process: BudgetProcess, user) -> bool:
    return ineligibility(process, user) is None


def ballot_costs(process: BudgetProcess) -> dict[str, int]:
    """Project id → cost of the projects on the ballot (two columns, no ORM objects)."""
    return dict(execute_core(_BALLOT_COSTS, {"process_id": process.id}).all())


_PROJECTS = BudgetProject.__table__
# Built once and run on the table (`execute_core`), as each statement of `cast` (issue 13).
_BALLOT_COSTS = select(_PROJECTS.c.project_id, _PROJECTS.c.cost).where(
    _PROJECTS.c.process_id == bindparam("process_id"),
    _PROJECTS.c.status == ProjectStatus.FEASIBLE)


def review(process: BudgetProcess, fields: Mapping[str, Sequence[str]], *,
           now: datetime) -> Choice:
    """The choice in the submitted fields if it is a valid ballot now; else raise."""
    if not voting_open(process, now):
        raise VotingClosed(process.phase)
    choice, problems = read_choice(process.ballot_rules, fields)
    if choice is not None:
        problems = check_choice(process.ballot_rules, choice, costs=ballot_costs(process),
                                budget=process.budget)
    if problems:
        raise InvalidBallot(problems)
    return choice


def current_choice(process_id: int, voter_key: str) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.process_id == process_id,
                                                  Ballot.voter_key == voter_key))


def code_usable(process_id: int, code: str) -> bool:
    """True for an unused voter code of this process (the vote itself re-checks, guarded)."""
    return db.session.scalar(select(VoterCode.id).where(
        VoterCode.process_id == process_id, VoterCode.code == normalise_code(code),
        VoterCode.used_at.is_(None))) is not None


def cast(process_id: int, fields: Mapping[str, Sequence[str]], *, now: datetime,
         user=None, code: str | None = None,
         may_view: Callable[[BudgetProcess], bool] | None = None) -> str:
    """Store (or replace) the ballot of `user`, or of the holder of voter `code`; returns
    the receipt code. Nothing is stored when anything is wrong.

    A person who deleted their account after voting left their ballot under the keyed hash
    of their mailbox (pb.privacy). Registering again with the same (or an equivalent)
    address and voting while the vote is still open *replaces* that ballot, exactly as
    changing one's ballot does (the last one counts): it is deleted in this transaction and
    the new one stored, so the count stays one for that mailbox. After voting closes the
    old ballot stays as it was counted. Only a confirmed address replaces it: an account
    that has not proved the mailbox is its own cannot remove someone's ballot.

    The process is loaded once, inside the write transaction (on SQLite, under its write
    lock; on PostgreSQL read as before, without a row lock). `may_view`: the voter's
    visibility check, run on it (NotFound when it fails), so the web page need not load the
    process before."""
    with write_transaction():
        process = db.session.execute(_PROCESS, {"process_id": process_id}).scalar()
        if process is None or (may_view is not None and not may_view(process)):
            raise NotFound(process_id)
        choice = review(process, fields, now=now)
        if code is not None:
            code_id = db.session.scalar(select(VoterCode.id).where(
                VoterCode.code == normalise_code(code), VoterCode.process_id == process_id))
            spent = code_id is not None and db.session.execute(
                update(VoterCode).where(VoterCode.id == code_id, VoterCode.used_at.is_(None))
                .values(used_at=now)).rowcount == 1
            if not spent:
                raise CodeUnusable(code)
            voter_key, channel = f"c{code_id}", "code"
        else:
            reason = "list" if user is None else ineligibility(process, user)
            if reason is not None:
                raise NotEligible(process_id, reason)
            voter_key, channel = f"u{user.id}", "online"
            erased = mailbox_key(user.email) if user.is_confirmed else None
            if erased is not None:
                execute_core(_DELETE_BALLOT, {"process_id": process_id, "voter_key": erased})
        vote, points = choice.encode()
        return execute_core(_upsert_ballot(db.session.get_bind().dialect.name), {
            "process_id": process_id, "voter_key": voter_key, "vote": vote, "points": points,
            "receipt": new_code(), "channel": channel, "cast_at": now, "updated_at": now,
        }).scalar_one()


_PROCESS = select(BudgetProcess).where(BudgetProcess.id == bindparam("process_id")) \
    .execution_options(populate_existing=True)
_BALLOTS = Ballot.__table__
_DELETE_BALLOT = delete(_BALLOTS).where(_BALLOTS.c.process_id == bindparam("process_id"),
                                        _BALLOTS.c.voter_key == bindparam("voter_key"))
_BALLOT_COLUMNS = ("process_id", "voter_key", "vote", "points", "receipt", "channel",
                   "cast_at", "updated_at")


@functools.cache
def _upsert_ballot(dialect: str):
    """INSERT … ON CONFLICT (process_id, voter_key) DO UPDATE … RETURNING receipt, built
    once per dialect: a changed ballot keeps its receipt and cast_at, and takes the new
    vote, points and updated_at."""
    stmt = upsert(_BALLOTS, dialect).values({name: bindparam(name) for name in _BALLOT_COLUMNS})
    return stmt.on_conflict_do_update(
        index_elements=["process_id", "voter_key"],
        set_={"vote": stmt.excluded.vote, "points": stmt.excluded.points,
              "updated_at": stmt.excluded.updated_at}).returning(_BALLOTS.c.receipt)


def lookup_receipt(code: str):
    """(ballot, process, counted in the stored results?) for a receipt code, else None."""
    ballot = db.session.scalar(select(Ballot).where(Ballot.receipt == normalise_code(code)))
    if ballot is None:
        return None
    process = db.session.get(BudgetProcess, ballot.process_id)
    result = db.session.scalar(select(BudgetResult).where(
        BudgetResult.process_id == process.id))
    counted = result is not None and result.computed_at >= ballot.updated_at
    return ballot, process, counted


def generate_codes(process_id: int, count: int, *, actor, now: datetime) -> list[str]:
    """`count` new single-use voter codes for in-person voting (1–5000 at a time)."""
    if not 1 <= count <= 5000:
        raise ValueError("count must be from 1 to 5000")
    codes = [new_code() for _ in range(count)]
    with write_transaction():
        if db.session.get(BudgetProcess, process_id) is None:
            raise NotFound(process_id)
        db.session.execute(insert(VoterCode), [
            {"process_id": process_id, "code": c, "created_at": now} for c in codes])
        audit.record(actor, "budget.codes", "budget_process", process_id, now=now, count=count)
    return codes


def set_eligible_emails(process_id: int, text: str, *, actor, now: datetime) -> int:
    """Replace the eligibility list by the addresses in `text` (one per line; empty: anyone
    with an account may vote). Returns how many addresses are on the list."""
    emails = sorted({line.strip().lower() for line in text.splitlines() if line.strip()})
    bad = [e for e in emails if "@" not in e or len(e) > 254]
    if bad:
        raise ValueError(", ".join(bad[:5]))
    with write_transaction():
        process = db.session.get(BudgetProcess, process_id)
        if process is None:
            raise NotFound(process_id)
        db.session.execute(EligibleVoter.__table__.delete().where(
            EligibleVoter.process_id == process_id))
        if emails:
            db.session.execute(insert(EligibleVoter), [
                {"process_id": process_id, "email": e} for e in emails])
        process.eligibility_limited = bool(emails)
        audit.record(actor, "budget.eligibility", "budget_process", process_id, now=now,
                     count=len(emails))
    return len(emails)


def set_eligible_areas(process_id: int, areas: Sequence[str], *, allowed: Sequence[str],
                       actor, now: datetime) -> int:
    """Limit voting to residents of `areas` (User.area), each one of the city's `allowed`
    areas; none: every area. Returns how many areas the process is limited to."""
    chosen = sorted({a.strip() for a in areas if a.strip()})
    unknown = [a for a in chosen if a not in allowed]
    if unknown:
        raise ValueError(", ".join(unknown[:5]))
    with write_transaction():
        process = db.session.get(BudgetProcess, process_id)
        if process is None:
            raise NotFound(process_id)
        process.eligible_areas = chosen
        audit.record(actor, "budget.eligible_areas", "budget_process", process_id, now=now,
                     areas=chosen)
    return len(chosen)


class PaperErrors(ValueError):
    """Problems of an uploaded paper-ballot file: (line number, message or Problem)."""

    def __init__(self, errors: list[tuple[int, object]]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def import_paper(process_id: int, text: str, *, actor, now: datetime) -> int:
    """Add paper ballots from CSV (header ``sheet,vote[,points]``; ``vote`` lists project
    ids separated by commas, ranked for ordinal; ``points`` parallel to it). All or nothing."""
    with write_transaction():
        process = db.session.get(BudgetProcess, process_id)
        if process is None:
            raise NotFound(process_id)
        if process.phase not in (Phase.VOTING, Phase.RESULTS):
            raise VotingClosed(process.phase)
        rows, errors = _paper_rows(process, text)
        if errors:
            raise PaperErrors(errors)
        keys = [r["voter_key"] for r in rows]
        taken = set(db.session.scalars(select(Ballot.voter_key).where(
            Ballot.process_id == process_id, Ballot.voter_key.in_(keys)))) if keys else set()
        if taken:
            raise PaperErrors([(0, "sheet already imported: " + ", ".join(
                sorted(k.removeprefix("paper:") for k in taken)[:10]))])
        if rows:
            db.session.execute(insert(Ballot), [{**r, "cast_at": now, "updated_at": now}
                                                for r in rows])
        audit.record(actor, "budget.paper", "budget_process", process_id, now=now,
                     count=len(rows))
    return len(rows)


def _paper_rows(process, text: str):
    rules, costs = process.ballot_rules, ballot_costs(process)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"sheet", "vote"} <= set(reader.fieldnames):
        return [], [(1, "the header must name the columns sheet and vote")]
    rows, errors, seen = [], [], set()
    for record in reader:
        line = reader.line_num
        sheet = (record.get("sheet") or "").strip()
        ids = [p.strip() for p in (record.get("vote") or "").split(",") if p.strip()]
        if not sheet or sheet in seen:
            errors.append((line, "missing or repeated sheet number"))
            continue
        if not sheet.isprintable() or len(sheet) > 64:  # controls, invisible marks, a novel
            errors.append((line, "unreadable sheet number"))
            continue
        seen.add(sheet)
        if len(set(ids)) != len(ids):
            errors.append((line, Problem("repeated", {})))
            continue
        if rules.vote_type == "cumulative":
            values = [v.strip() for v in (record.get("points") or "").split(",") if v.strip()]
            if len(values) != len(ids):
                errors.append((line, Problem("points_missing", {})))
                continue
            fields = {f"points-{p}": [v] for p, v in zip(ids, values, strict=True)}
        elif rules.vote_type == "ordinal":
            fields = {f"rank-{p}": [str(k)] for k, p in enumerate(ids, 1)}
        else:
            fields = {"project": ids}
        choice, problems = read_choice(rules, fields)
        if choice is not None:
            problems = check_choice(rules, choice, costs=costs, budget=process.budget)
        if problems:
            errors.extend((line, problem) for problem in problems)
            continue
        vote, points = choice.encode()
        rows.append({"process_id": process.id, "voter_key": f"paper:{sheet}", "vote": vote,
                     "points": points, "channel": "paper"})
    if not rows and not errors:
        errors.append((2, "the file has no ballots"))
    return rows, errors


def ballot_count(process_id: int) -> int:
    return db.session.scalar(select(func.count(Ballot.id)).where(
        Ballot.process_id == process_id))
