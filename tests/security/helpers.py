"""A seeded world for the security tests (issue 13): one user per role plus another citizen,
a public and a staff-only budget, conversation and petition scheme (each with an open
petition), and a draft petition owned by the other citizen; real logins with real CSRF tokens,
and the database restored to the seeded state before each request.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from core.db import db, utcnow
from core.process import Audience, Commitment
from tests.helpers import make_app
from tests.petitions.helpers import SMALL_RULES, open_petition, sign_and_confirm

PASSWORD = "correct horse battery staple"
ROLES = ("anonymous", "citizen", "moderator", "facilitator", "official", "admin")
STAFF_TITLE = "Staff-only"  # every staff-only title starts with it, so leaks are easy to grep
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class World:
    app: object
    db_path: Path
    ids: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)  # role -> {cookie name: value}
    csrf: dict = field(default_factory=dict)  # role -> token bound to that session

    def restore(self) -> None:
        """Put the database back as seeded (whatever the last request wrote)."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.db_path.with_suffix(".seeded"), self.db_path)

    def client(self, role: str):
        """A fresh test client carrying `role`'s logged-in session cookie."""
        client = self.app.test_client()
        for name, value in self.cookies.get(role, {}).items():
            client.set_cookie(name, value)
        return client


def row_counts() -> dict[str, int]:
    """Rows per table, every table of the metadata."""
    db.session.rollback()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def table_contents() -> dict[str, list]:
    """Every row of every table (for 'nothing changed', stricter than counts)."""
    db.session.rollback()
    return {table.name: db.session.execute(table.select()).all()
            for table in db.metadata.sorted_tables}


def build_world(tmp_path: Path, **overrides) -> World:
    """Create the app (CSRF on, no rate limits), seed it, log every role in, save a copy."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, PETITIONS_SIGNING_LIMITS=False,
                   **overrides)
    world = World(app=app, db_path=tmp_path / "test.db")
    with app.app_context():
        users = _users()
        world.ids = _seed(users)
        db.session.remove()
    # Requests run outside any outer app context: one shared `g` would leak Flask-WTF's
    # cached CSRF token and the logged-in user from one client to the next.
    for role in ROLES:
        _log_in(world, role)
    with app.app_context():
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(world.db_path, world.db_path.with_suffix(".seeded"))
    return world


def _users() -> dict:
    from accounts.models import User, UserRole

    users = {}
    for role in (*ROLES[1:], "other"):
        user = User(email=f"{role}@example.org", display_name=f"{role.title()} User",
                    email_confirmed_at=utcnow())
        user.set_password(PASSWORD)
        if role not in ("citizen", "other"):
            user.role_rows = [UserRole(role=role)]
        db.session.add(user)
        users[role] = user
    db.session.commit()
    return users


def _log_in(world: World, role: str) -> None:
    client = world.app.test_client()
    if role != "anonymous":
        token = CSRF.search(client.get("/login").get_data(True)).group(1)
        response = client.post("/login", data={"email": f"{role}@example.org",
                                               "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, (role, response.status_code)
    page = client.get("/petitions/new" if role != "anonymous" else "/login").get_data(True)
    world.csrf[role] = CSRF.search(page).group(1)
    world.cookies[role] = {cookie.key: cookie.value
                           for cookie in client._cookies.values()}  # noqa: SLF001


def _seed(users) -> dict:
    return {**_budgets(users), **_conversations(users), **_petitions(users),
            "other_user": users["other"].id, "citizen_user": users["citizen"].id}


def _budgets(users) -> dict:
    from pb.models import BudgetProcess, BudgetProject, Phase

    ids = {}
    for audience in Audience:
        process = BudgetProcess(
            title=f"{STAFF_TITLE} workplace fund" if audience is Audience.STAFF
            else "Riverside budget", commitment=Commitment.BINDING, audience=audience,
            owner_id=users["official"].id, currency="EUR")
        process.set_rules(budget=6000, vote_type="approval", max_projects=2)
        process.projects = [
            BudgetProject(project_id="1", name=f"{STAFF_TITLE} quiet room"
                          if audience is Audience.STAFF else "Benches", cost=4000),
            BudgetProject(project_id="2", name="Cycle lane", cost=3000)]
        db.session.add(process)
        process.move_to(Phase.VOTING, now=utcnow())
        db.session.commit()
        ids[f"budget_{audience}"] = process.id
        ids[f"project_{audience}"] = process.projects[0].id
    # One public budget in its voting phase per other ballot type.
    for vote_type, rules in (("knapsack", {}), ("cumulative", {"points_total": 10,
                                                               "max_points_per_project": 6}),
                             ("ordinal", {"rank_limit": 2})):
        process = BudgetProcess(title=f"{vote_type.title()} budget", audience=Audience.PUBLIC,
                                commitment=Commitment.BINDING, owner_id=users["official"].id,
                                currency="EUR")
        process.set_rules(budget=6000, vote_type=vote_type, **rules)
        process.projects = [BudgetProject(project_id=str(n), name=f"Project {n}", cost=2000)
                            for n in (1, 2, 3)]
        db.session.add(process)
        process.move_to(Phase.VOTING, now=utcnow())
        db.session.commit()
        ids[f"budget_{vote_type}"] = process.id
    proposals = BudgetProcess(title="Proposals budget", audience=Audience.PUBLIC,
                              commitment=Commitment.BINDING, owner_id=users["official"].id,
                              currency="EUR")
    proposals.set_rules(budget=6000, vote_type="approval")
    proposals.projects = [BudgetProject(project_id="1", name="Idea", cost=2000)]
    db.session.add(proposals)
    proposals.move_to(Phase.PROPOSALS, now=utcnow())
    db.session.commit()
    ids["budget_proposals"] = proposals.id
    ids["project_proposals"] = proposals.projects[0].id
    return ids


def _conversations(users) -> dict:
    from deliberation.models import Conversation, ConversationPhase, Statement

    ids = {}
    for audience in Audience:
        staff = audience is Audience.STAFF
        conversation = Conversation(
            title=f"{STAFF_TITLE} canteen talk" if staff else "Our town", description="",
            phase=ConversationPhase.OPEN, commitment=Commitment.ADVISORY, audience=audience,
            owner_id=users["facilitator"].id, anonymous_allowed=True)
        conversation.statements = [
            Statement(text=f"{STAFF_TITLE} statement {n}" if staff else f"Public idea {n}",
                      moderation=1) for n in range(3)]
        db.session.add(conversation)
        db.session.commit()
        ids[f"conversation_{audience}"] = conversation.id
        ids[f"statement_{audience}"] = conversation.statements[0].id
    return ids


def _petitions(users) -> dict:
    from petitions import moderation, service

    ids, now = {}, utcnow()
    for audience in Audience:
        staff = audience is Audience.STAFF
        scheme = moderation.save_scheme(
            None, actor=users["admin"], now=now, title=f"{STAFF_TITLE} suggestions" if staff
            else "Town petitions", authority="Council", description="",
            commitment=Commitment.ADVISORY, audience=audience, moderation_sla_days=14,
            area_kind="none", area_choices="", eligibility_text="", **SMALL_RULES)
        petition = open_petition(scheme, {"creator": users["official" if staff else "citizen"],
                                          "moderator": users["moderator"]},
                                 title=f"{STAFF_TITLE} move the canteen" if staff
                                 else "Fix the potholes", now=now)
        # One more signer crosses the response threshold (4): officials can respond, and
        # /conversations/from-petition checks the role instead of refusing every petition.
        sign_and_confirm(petition.id, f"fourth-{audience}@example.org", now=now,
                         ip=f"192.0.2.{10 + len(ids)}")
        ids[f"scheme_{audience}"] = scheme.id
        ids[f"petition_{audience}"] = petition.id
    draft = service.create_petition(
        scheme_id=ids["scheme_public"], creator=users["other"], title="Other's draft idea",
        action="Someone else's words.", background="", now=now)
    ids["petition_draft"] = draft.id
    return ids
