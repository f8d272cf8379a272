"""A live server under simulated citizens, for the load benchmark (bench/load.py) and the
crash test (tests/core/test_crash.py).

`seed` creates open petitions, a budget in its voting phase, an open conversation and confirmed
citizens (with a cheap password hash: scrypt per user would dominate the set-up);
`start_server` runs gunicorn on it; `Citizen` signs, casts ballots and votes over HTTP like a
browser (tests/core/browser.py: cookies, CSRF tokens, a distinct X-Forwarded-For per signature);
`verify` takes what the server acknowledged and counts what is missing, duplicated or
miscounted, straight on the database.
"""
from __future__ import annotations

import http.client
import itertools
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from core.db import db, utcnow, write_transaction
from core.identity import canonical_email
from core.process import Audience, Commitment
from tests.core.browser import Browser

PASSWORD = "load-bench-password"
PROJECTS = [("P1", 400_000), ("P2", 300_000), ("P3", 250_000), ("P4", 200_000),
            ("P5", 150_000), ("P6", 100_000)]
BUDGET = 1_000_000
STATEMENTS = 20


@dataclass
class World:
    petitions: list[int]
    process: int
    conversation: int
    statements: list[int]
    users: list[tuple[int, str]]  # (id, email)


@dataclass
class Acks:
    """What the server acknowledged (2xx, or the redirect a success answers with).

    Ballots and votes replace earlier ones: each key keeps the last acknowledged value and
    the values sent after it without an answer (a killed server may have stored one)."""

    email_signatures: list[tuple[int, str]] = field(default_factory=list)  # petition, email
    one_click: list[tuple[int, int]] = field(default_factory=list)  # petition, user id
    ballots: dict[int, tuple[frozenset[str], set]] = field(default_factory=dict)  # user id
    votes: dict[tuple[int, int], tuple[int, set]] = field(default_factory=dict)  # user, stmt

    def replaced(self, table: dict, key, value, acknowledged: bool) -> None:
        if acknowledged:
            table[key] = (value, set())
        elif key in table:
            table[key][1].add(value)

    def merge(self, other: Acks) -> None:
        self.email_signatures += other.email_signatures
        self.one_click += other.one_click
        self.ballots.update(other.ballots)
        self.votes.update(other.votes)


def seed(*, petitions: int, users: int) -> World:
    """Everything the simulated citizens need, through the real service functions where a
    state machine is involved (petitions opened by a moderator, a budget moved to voting)."""
    from accounts.models import User, UserRole
    from core.roles import Role
    from deliberation.models import Conversation, Statement
    from deliberation.phases import ConversationPhase
    from pb.models import BudgetProcess, BudgetProject, Phase
    from petitions import moderation, service

    now = utcnow()
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with write_transaction():
        staff = User(email="staff@example.org", display_name="Staff", email_confirmed_at=now,
                     role_rows=[UserRole(role=r) for r in (Role.ADMIN, Role.MODERATOR,
                                                           Role.OFFICIAL, Role.FACILITATOR)])
        # Each citizen in a domain of their own: 200 accounts of one domain signing one
        # petition within the hour trip its per-domain limit (flagged, as they should be).
        citizens = [User(email=f"citizen{i}@town{i}.example.org", display_name=f"Citizen {i}",
                         email_confirmed_at=now, password_hash=cheap) for i in range(users)]
        db.session.add_all([staff, *citizens])
    scheme = moderation.save_scheme(
        None, actor=staff, now=now, title="Load bench", authority="Bench council",
        description="Load benchmark scheme.", commitment=Commitment.ADVISORY, sponsor_count=0,
        visibility_threshold=0, response_threshold=1_000_000, window_days=30,
        debate_threshold=None, response_due_days=60, moderation_sla_days=5, area_kind="none",
        area_choices="", eligibility_text="")
    petition_ids = []
    for i in range(petitions):
        petition = service.create_petition(scheme_id=scheme.id, creator=staff,
                                           title=f"Load petition {i}", action="Measure it.",
                                           background="", now=now)
        service.start_sponsoring(petition.id, creator=staff, now=now)
        moderation.approve(petition.id, actor=staff, now=now)
        petition_ids.append(petition.id)
    with write_transaction():
        process = BudgetProcess(title="Load budget", commitment=Commitment.BINDING,
                                audience=Audience.PUBLIC, owner_id=staff.id, currency="EUR",
                                description="Load benchmark budget.")
        process.set_rules(budget=BUDGET, vote_type="approval", min_projects=1, max_projects=3)
        process.projects = [BudgetProject(project_id=pid, name=f"Project {pid}", cost=cost,
                                          description="") for pid, cost in PROJECTS]
        db.session.add(process)
        process.move_to(Phase.VOTING, now=now - timedelta(minutes=1))
        conversation = Conversation(
            title="Load conversation", commitment=Commitment.ADVISORY,
            audience=Audience.PUBLIC, phase=ConversationPhase.OPEN, owner_id=staff.id,
            description="Load benchmark conversation.", anonymous_allowed=True)
        conversation.statements = [Statement(number=i, text=f"Statement {i} for the bench",
                                             author_id=staff.id, moderation=1)
                                   for i in range(STATEMENTS)]
        db.session.add(conversation)
    return World(petitions=petition_ids, process=process.id, conversation=conversation.id,
                 statements=[s.id for s in conversation.statements],
                 users=[(u.id, u.email) for u in citizens])


def random_ballot(rng) -> frozenset[str]:
    """An approval ballot of 1–3 projects within the budget."""
    while True:
        chosen = frozenset(rng.sample([pid for pid, _ in PROJECTS], rng.randint(1, 3)))
        if sum(cost for pid, cost in PROJECTS if pid in chosen) <= BUDGET:
            return chosen


def verify(world: World, acks: Acks) -> dict[str, int]:
    """Lost acknowledged writes, duplicate rows, and counters that differ from the rows."""
    from deliberation.models import Participant, Vote
    from pb.ballots import decode
    from pb.models import Ballot
    from petitions.models import Petition, Signature, SignatureState

    db.session.expire_all()
    signed = set(db.session.execute(select(Signature.petition_id, Signature.canonical_email)))
    by_user = set(db.session.execute(select(Signature.petition_id, Signature.user_id).where(
        Signature.state == SignatureState.VALIDATED)))
    lost = sum((p, canonical_email(e)) not in signed for p, e in acks.email_signatures)
    lost += sum(key not in by_user for key in acks.one_click)
    ballots = {voter_key: frozenset(decode(vote, points).projects) for voter_key, vote, points
               in db.session.execute(select(Ballot.voter_key, Ballot.vote, Ballot.points)
                                     .where(Ballot.process_id == world.process))}
    lost += sum(ballots.get(f"u{user}") not in {chosen, *later}
                for user, (chosen, later) in acks.ballots.items())
    votes = dict(((user, statement), value) for user, statement, value in db.session.execute(
        select(Participant.user_id, Vote.statement_id, Vote.value)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.conversation_id == world.conversation)))
    lost += sum(votes.get(key) not in {value, *later}
                for key, (value, later) in acks.votes.items())

    duplicates = _duplicates(Signature.petition_id, Signature.canonical_email)
    duplicates += _duplicates(Ballot.process_id, Ballot.voter_key)
    duplicates += _duplicates(Vote.conversation_id, Vote.participant_id, Vote.statement_id)
    duplicates += _duplicates(Participant.conversation_id, Participant.user_id)

    counted = Counter(dict(db.session.execute(
        select(Signature.petition_id, func.count()).where(
            Signature.state == SignatureState.VALIDATED).group_by(Signature.petition_id)).all()))
    drift = sum(count != counted[pid] for pid, count in db.session.execute(
        select(Petition.id, Petition.signature_count)))
    return {"lost": lost, "duplicates": duplicates, "counter_drift": drift}


def _duplicates(*columns) -> int:
    """Extra rows beyond the first for each value of `columns` (NULLs skipped)."""
    grouped = (select(func.count().label("n")).where(*(c.is_not(None) for c in columns))
               .group_by(*columns).having(func.count() > 1).subquery())
    return db.session.scalar(select(func.coalesce(func.sum(grouped.c.n - 1), 0)))


def fresh_email(tag: str) -> str:
    """A distinct signer address in an exempt domain (the per-domain limit stays out)."""
    return f"s{tag}{secrets.token_hex(4)}@gmail.com"


# --- the server ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def write_config(instance: Path, database_url: str) -> None:
    """instance/config.py for the served app: the Flask-Limiter caps off (every simulated
    citizen comes from 127.0.0.1), one trusted proxy so X-Forwarded-For gives each signature
    its own address (the per-IP fraud rules counted in the database stay on)."""
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(
        f"SQLALCHEMY_DATABASE_URI = {database_url!r}\n"
        f"SECRET_KEY = {secrets.token_hex(16)!r}\n"
        "RATELIMIT_ENABLED = False\n"
        "TRUSTED_PROXIES = 1\n")


def start_server(instance: Path, port: int, *, workers: int = 4, threads: int = 1,
                 log: Path | None = None) -> subprocess.Popen:
    """gunicorn × `workers` on 127.0.0.1:`port` in its own process group (kill_server)."""
    app = f"app:create_app(instance_path={str(instance)!r})"
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--chdir", str(ROOT), "--backlog", "2048", "--keep-alive", "30",
               "--preload"]  # import the app once, then fork: workers start in a blink
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    server = subprocess.Popen([*command, app], cwd=ROOT, env=env, stdout=out, stderr=out,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} (log: {log})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/petitions/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    kill_server(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def kill_server(server: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the master and every worker at once (kill -9 by default), then reap."""
    try:
        os.killpg(server.pid, sig)
    except ProcessLookupError:
        pass
    server.wait(timeout=30)


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its workers (Linux
    /proc): divided by the requests served, a cost per request that a busy machine does not
    inflate the way it inflates latencies."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == server.pid:  # process group: the master and every worker
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- the citizens ----------------------------------------------------------------------

_addresses = itertools.count(1)


def next_address() -> str:
    """A distinct client address per signature (10.0.0.0/8), sent as X-Forwarded-For."""
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


# What a citizen does next, by weight: mostly signing (the petitions flow carries the load).
MIX = {"sign_email": 5, "sign_one_click": 3, "ballot": 1, "vote": 1}


class Citizen:
    """What one simulated citizen does; every method returns True when acknowledged and
    records the acknowledgement in `acks`. A connection error propagates (not acknowledged)."""

    def __init__(self, port: int, world: World, user: tuple[int, str], acks: Acks):
        self.world, self.user_id, self.acks = world, user[0], acks
        self.anonymous = Browser(port)
        self.account = Browser(port)
        self.anonymous.fetch_token(f"/petitions/{world.petitions[0]}")
        self.account.fetch_token("/login")
        status, _ = self.account.request("POST", "/login", {"email": user[1],
                                                            "password": PASSWORD})
        if status not in (302, 303):
            raise RuntimeError(f"login of {user[1]} answered {status}")
        self.account.fetch_token(f"/petitions/{world.petitions[0]}")
        self.unsigned = list(world.petitions)

    def act(self, rng, tag: str = "") -> tuple[str, int, bool]:
        """One write drawn from MIX: (kind, HTTP status, acknowledged)."""
        kind = rng.choices(list(MIX), list(MIX.values()))[0]
        if kind == "sign_one_click":
            answer = self.sign_in_one_click()
            if answer is not None:
                return (kind, *answer)
            kind = "sign_email"  # this account signed every petition: sign by email
        if kind == "sign_email":
            answer = self.sign_by_email(rng.choice(self.world.petitions), fresh_email(tag))
        elif kind == "ballot":
            answer = self.cast_ballot(random_ballot(rng))
        else:
            answer = self.vote(rng.choice(self.world.statements), rng.choice((1, -1, 0)))
        return (kind, *answer)

    @contextmanager
    def _in_flight(self, table: dict, key, value):
        """A request cut off by the kill may still have been stored: its value is then one
        the database may rightly hold instead of the last acknowledged one."""
        try:
            yield
        except (OSError, http.client.HTTPException):
            self.acks.replaced(table, key, value, False)
            raise

    def sign_by_email(self, petition: int, email: str) -> tuple[int, bool]:
        status, text = self.anonymous.request(
            "POST", f"/petitions/{petition}/sign",
            {"name": "Load Citizen", "email": email, "eligible": "y"}, next_address())
        ok = status == 200
        if ok:
            self.acks.email_signatures.append((petition, email))
        return status, ok

    def sign_in_one_click(self) -> tuple[int, bool] | None:
        """Sign the next petition this account has not signed; None when none is left."""
        if not self.unsigned:
            return None
        petition = self.unsigned.pop()
        status, text = self.account.request("POST", f"/petitions/{petition}/sign",
                                            {"eligible": "y"}, next_address())
        ok = status == 200
        if ok:
            self.acks.one_click.append((petition, self.user_id))
        return status, ok

    def cast_ballot(self, projects: frozenset[str]) -> tuple[int, bool]:
        process = self.world.process
        with self._in_flight(self.acks.ballots, self.user_id, projects):
            status, _ = self.account.request("POST", f"/budgets/{process}/ballot/confirm",
                                             {"process": process, "project": sorted(projects)})
        ok = status in (302, 303)
        self.acks.replaced(self.acks.ballots, self.user_id, projects, ok)
        return status, ok

    def vote(self, statement: int, value: int) -> tuple[int, bool]:
        word = {1: "agree", -1: "disagree", 0: "pass"}[value]
        with self._in_flight(self.acks.votes, (self.user_id, statement), value):
            status, _ = self.account.request(
                "POST", f"/conversations/{self.world.conversation}/vote",
                {"statement_id": statement, "vote": word})
        ok = status in (302, 303)
        self.acks.replaced(self.acks.votes, (self.user_id, statement), value, ok)
        return status, ok
