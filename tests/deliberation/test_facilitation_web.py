"""Facilitators create, edit, open and close conversations; the index by status; petitions."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.audit import AuditEntry
from core.db import utcnow
from core.roles import Role
from deliberation.models import Conversation, Statement

from .web_helpers import open_conversation

FORM = {"title": "Parks plan", "description": "What should the parks offer?",
        "seed_statements": "More shade trees\nA dog park\n\nMore shade trees",
        "participants_can_write": "y", "anonymous_allowed": "y",
        "statement_max_length": "140", "commitment": "advisory", "audience": "public"}


def test_facilitator_creates_edits_opens_and_closes(client, db, make_user, login_as):
    login_as(client, make_user(roles=(Role.FACILITATOR,)))
    created = client.post("/conversations/new", data=FORM)
    assert created.status_code == 302
    conversation = db.session.scalar(select(Conversation))
    assert conversation.phase == "draft" and not conversation.strict_moderation
    assert [s.text for s in conversation.statements] == ["More shade trees", "A dog park"]
    assert all(s.state == "accepted" for s in conversation.statements)
    assert [s.number for s in conversation.statements] == [0, 1]
    cid = conversation.id
    edited = client.post(f"/conversations/{cid}/edit",
                         data={**FORM, "strict_moderation": "y", "seed_statements": "Swings",
                               "statement_max_length": "200"})
    assert edited.status_code == 302
    db.session.expire_all()
    conversation = db.session.get(Conversation, cid)
    assert conversation.strict_moderation and conversation.statement_max_length == 200
    assert len(conversation.statements) == 3
    assert client.get("/conversations/").text.count("Parks plan") == 1  # drafts: owner only
    assert client.post(f"/conversations/{cid}/phase", data={"phase": "open"}).status_code == 302
    back = client.post(f"/conversations/{cid}/phase", data={"phase": "draft"})
    assert back.status_code == 409  # the edit page again, saying why
    assert 'id="phase-error">That change is not possible now.' in back.get_data(as_text=True)
    assert client.post(f"/conversations/{cid}/phase", data={"phase": "paused"}
                       ).status_code == 400
    assert client.post(f"/conversations/{cid}/phase", data={"phase": "closed"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Conversation, cid).phase == "closed"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["conversation.create", "conversation.edit", "conversation.open",
                       "conversation.closed"]


def test_bad_conversation_forms_are_refused(client, db, make_user, login_as):
    login_as(client, make_user(roles=(Role.FACILITATOR,)))
    for bad in ({"title": ""}, {"statement_max_length": "5"}, {"commitment": "maybe"},
                {"opens_at": "2030-01-02T00:00", "closes_at": "2030-01-01T00:00"},
                {"seed_statements": "x" * 141}):
        assert client.post("/conversations/new", data={**FORM, **bad}).status_code == 400
    assert db.session.scalar(select(Conversation)) is None


def test_index_lists_open_upcoming_and_closed(client, db):
    now = utcnow()
    current = open_conversation()
    current.title = "Now open"
    later = open_conversation()
    later.title, later.opens_at = "Opens later", now + timedelta(days=3)
    past = open_conversation()
    past.title, past.closes_at = "Ended", now - timedelta(days=1)
    db.session.commit()
    page = client.get("/conversations/").text
    assert page.index("Now open") < page.index("Opens later") < page.index("Ended")
    vote = client.post(f"/conversations/{later.id}/vote",
                       data={"statement_id": later.statements[0].id, "vote": "agree"})
    assert vote.status_code == 400
    assert "has not opened yet" in client.get(f"/conversations/{later.id}").text


def _open_petition(make_user):
    """An open petition (response threshold 4) on an advisory scheme an admin set up."""
    from core.process import Commitment
    from petitions import moderation
    from tests.petitions.helpers import open_petition

    admin = make_user(roles=(Role.ADMIN,))
    scheme = moderation.save_scheme(
        None, actor=admin, now=utcnow(), title="S", authority="Council", description="",
        commitment=Commitment.ADVISORY, moderation_sla_days=14, area_kind="none",
        area_choices="", eligibility_text="", sponsor_count=1, visibility_threshold=0,
        response_threshold=4, window_days=30, debate_threshold=6, response_due_days=10)
    people = {"creator": make_user(), "moderator": make_user(roles=(Role.MODERATOR,))}
    return open_petition(scheme, people, now=utcnow())


def test_open_a_conversation_from_a_petition_past_its_response_threshold(client, db,
                                                                        make_user, login_as):
    petition = _open_petition(make_user)
    facilitator = make_user(roles=(Role.FACILITATOR,))
    login_as(client, facilitator)
    url = f"/conversations/from-petition/{petition.id}"
    assert client.post(url).status_code == 403  # not past the threshold yet
    petition.response_threshold_reached_at = utcnow()
    db.session.commit()
    page = client.get(f"/petitions/{petition.id}")
    assert "Open a conversation about this petition" in page.text
    assert client.post(url).status_code == 302
    conversation = db.session.scalar(select(Conversation))
    assert conversation.petition_id == petition.id and conversation.phase == "draft"
    # The draft: its facilitator is led back to it and not offered a second conversation.
    page = client.get(f"/petitions/{petition.id}").text
    assert "Draft conversation: continue setting it up" in page
    assert f"/conversations/{conversation.id}/edit" in page
    assert "Open a conversation about this petition" not in page
    second = client.post(url)
    assert second.status_code == 409
    assert "A conversation was already opened from this petition." in second.text
    assert len(db.session.scalars(select(Conversation)).all()) == 1
    # Another official sees that one is being set up, without the edit link or the button.
    login_as(client, make_user(roles=(Role.OFFICIAL,)))
    page = client.get(f"/petitions/{petition.id}").text
    assert "A conversation about this is being set up." in page
    assert "Open a conversation about this petition" not in page
    assert f"/conversations/{conversation.id}/edit" not in page
    assert client.post(url).status_code == 409
    assert len(db.session.scalars(select(Conversation)).all()) == 1
    # The public sees nothing of the draft.
    login_as(client, make_user())
    page = client.get(f"/petitions/{petition.id}").text
    assert "Conversation about this petition" not in page
    assert f"/conversations/{conversation.id}" not in page and "being set up" not in page
    login_as(client, facilitator)
    client.post(f"/conversations/{conversation.id}/phase", data={"phase": "open"})
    page = client.get(f"/petitions/{petition.id}").text
    assert "Draft conversation" not in page and "Conversation about this petition" in page
    assert client.post(url).status_code == 409
    login_as(client, make_user())
    page = client.get(f"/petitions/{petition.id}")
    assert "Conversation about this petition" in page.text
    assert f"/conversations/{conversation.id}" in page.text
    assert client.post(url).status_code == 403
    assert len(db.session.scalars(select(Conversation)).all()) == 1


def test_open_a_conversation_from_a_budget_taking_proposals(client, db, make_user, login_as):
    from core.process import Audience, Commitment
    from pb.models import BudgetProcess
    from pb.phases import Phase

    official = make_user(roles=(Role.OFFICIAL,))
    budget = BudgetProcess(title="Riverside 2027", description="Parks and streets",
                           commitment=Commitment.BINDING, audience=Audience.PUBLIC,
                           owner_id=official.id, currency="EUR")
    budget.set_rules(budget=100_000, vote_type="approval")
    db.session.add(budget)
    db.session.commit()
    url = f"/conversations/from-budget/{budget.id}"
    login_as(client, make_user())
    assert client.post(url).status_code == 403  # citizens cannot
    login_as(client, official)
    assert client.post(url).status_code == 403  # a draft budget takes no proposals yet
    assert client.post("/conversations/from-budget/999999").status_code == 404
    budget.move_to(Phase.PROPOSALS, now=utcnow())
    db.session.commit()
    assert "Open a conversation about this budget" in client.get(f"/budgets/{budget.id}").text
    assert client.post(url).status_code == 302
    conversation = db.session.scalar(select(Conversation))
    assert (conversation.budget_id, conversation.title) == (budget.id, "Riverside 2027")
    assert conversation.audience == Audience.PUBLIC and conversation.phase == "draft"
    page = client.get(f"/budgets/{budget.id}").text
    assert "Draft conversation: continue setting it up" in page
    assert "Open a conversation about this budget" not in page
    second = client.post(url)
    assert second.status_code == 409
    assert "A conversation was already opened from this budget." in second.text
    assert len(db.session.scalars(select(Conversation)).all()) == 1
    login_as(client, make_user())
    assert "Conversation about this budget" not in client.get(f"/budgets/{budget.id}").text
    login_as(client, official)
    client.post(f"/conversations/{conversation.id}/phase", data={"phase": "open"})
    login_as(client, make_user())
    page = client.get(f"/budgets/{budget.id}").text
    assert "Conversation about this budget" in page
    assert f"/conversations/{conversation.id}" in page


def test_the_official_response_editor_cites_the_conversation_with_agree_shares(
        client, db, make_user, login_as, runner):
    from deliberation import service as conversations

    petition = _open_petition(make_user)
    petition.response_threshold_reached_at = utcnow()
    db.session.commit()
    official = make_user(roles=(Role.OFFICIAL,))
    login_as(client, official)
    assert client.post(f"/conversations/from-petition/{petition.id}").status_code == 302
    conversation = db.session.scalar(select(Conversation))
    conversation.statements = [Statement(text=t, moderation=1) for t in
                               ("Fix the road first.", "Close the road.", "Ask the school.")]
    conversation.phase = "open"
    db.session.commit()
    for i in range(12):  # everyone agrees with the first statement; the others split
        voter = make_user()
        for k, statement in enumerate(conversation.statements):
            value = 1 if k == 0 else (1 if (i + k) % 2 else -1)
            conversations.cast_vote(conversation.id, statement.id, value,
                                    who=conversations.Who(user=voter), now=utcnow())
    assert runner.invoke(args=["conversations", "recompute", str(conversation.id)]).exit_code == 0
    page = client.get(f"/petitions/{petition.id}/respond").text
    assert "Cite the conversation about this petition" in page
    # Polis's smoothed agree share (polis-math.md): (1 + 12 agrees) / (2 + 12 votes) = 93%
    assert "“Fix the road first.” — 93% agree (12 votes)" in page
