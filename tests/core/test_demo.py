"""`flask seed-demo`: one user per role, a budget in voting, a conversation; idempotent."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.process import Audience
from deliberation.models import Conversation, Vote
from pb.models import BudgetProcess, InvalidTransition, Phase, RulesFrozen


def counts(db):
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, BudgetProcess, Conversation, Vote)}


def test_seed_demo_creates_a_lively_site_and_is_idempotent(runner, db, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    passwords = re.findall(r"^\s+(\w+)\s+(\S+@example\.org)\s+(\S+)$", first.output, re.M)
    assert {role for role, _email, _pw in passwords} == {
        "citizen", "moderator", "facilitator", "official", "admin"}
    assert len({pw for *_rest, pw in passwords}) == 5  # generated, not one shared password
    before = counts(db)
    assert before["BudgetProcess"] == 3 and before["Conversation"] == 2 and before["Vote"] > 50

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert not re.search(r"@example\.org\s+\S+$", second.output, re.M)  # printed only once
    assert counts(db) == before

    role, email, password = next(p for p in passwords if p[0] == "official")
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302


def test_demo_pages_show_the_budget_in_voting_and_the_conversation(runner, client, db):
    runner.invoke(args=["seed-demo"])
    public = db.session.scalar(select(BudgetProcess).where(
        BudgetProcess.audience == Audience.PUBLIC, BudgetProcess.phase == Phase.VOTING))
    assert public.phase is Phase.VOTING and public.rules_frozen
    page = client.get(f"/budgets/{public.id}").get_data(as_text=True)
    assert "Binding" in page and "€250,000.00" in page and "Shaded benches" in page
    assert f"/budgets/{public.id}/ballot" in page
    finished = db.session.scalar(select(BudgetProcess).where(
        BudgetProcess.phase == Phase.RESULTS))
    results = client.get(f"/budgets/{finished.id}/results").get_data(as_text=True)
    assert "Wieliczka" in results and "Method of Equal Shares" in results
    assert client.get("/budgets/").status_code == 200
    conversation = db.session.scalar(select(Conversation).order_by(Conversation.id))
    page = client.get(f"/conversations/{conversation.id}").get_data(as_text=True)
    assert "Advisory" in page and "0 of 8 voted" in page
    report = client.get(f"/conversations/{conversation.id}/report").get_data(as_text=True)
    assert "Cars should be banned" in report
    home = client.get("/").get_data(as_text=True)
    assert public.title in home and conversation.title in home


def test_staff_processes_are_hidden_from_citizens(runner, client, db, make_user, login_as):
    runner.invoke(args=["seed-demo"])
    staff = db.session.scalar(select(BudgetProcess).where(
        BudgetProcess.audience == Audience.STAFF))
    assert client.get(f"/budgets/{staff.id}").status_code == 404
    assert staff.title not in client.get("/budgets/").get_data(as_text=True)
    login_as(client, make_user())
    assert client.get(f"/budgets/{staff.id}").status_code == 404
    login_as(client, make_user(roles=("official",)))
    page = client.get(f"/budgets/{staff.id}").get_data(as_text=True)
    assert "Staff only" in page and staff.title in page


def test_budget_phases_follow_the_table_and_rules_freeze_when_voting_opens(db):
    from core.db import utcnow

    process = BudgetProcess(title="Test", phase=Phase.DRAFT, budget=1000)
    process.set_rules(budget=2000, vote_type="approval", max_projects=3)
    with pytest.raises(InvalidTransition, match="draft"):
        process.move_to(Phase.RESULTS, now=utcnow())
    process.move_to(Phase.VOTING, now=utcnow())
    with pytest.raises(RulesFrozen):
        process.set_rules(budget=5000, vote_type="approval")
    assert process.budget == 2000
    with pytest.raises(ValueError):
        BudgetProcess(title="x").set_rules(budget=1, vote_type="plurality")


def test_seed_demo_delivers_no_email(runner, db):
    from core.mail import OutboxEmail, queue_email

    queue_email("real@example.org", "Before the demo", "A real pending email")
    db.session.commit()
    runner.invoke(args=["seed-demo"])
    pending = db.session.scalars(select(OutboxEmail).where(OutboxEmail.sent_at.is_(None)))
    assert [e.subject for e in pending] == ["Before the demo"]
