"""A logged-in citizen changes password and email, and can delete the account."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from core.audit import AuditEntry
from tests.helpers import link_path

PASSWORD = "correct horse battery staple"


def test_change_password_needs_the_current_one(client, db, make_user, login_as):
    user = make_user()
    login_as(client, user)
    wrong = client.post("/account/password", data={"pw-current": "not it at all!",
                                                    "pw-password": "a new long password"})
    assert wrong.status_code == 400 and b"Your current password is not correct." in wrong.data
    ok = client.post("/account/password", data={"pw-current": PASSWORD,
                                                 "pw-password": "a new long password"})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.check_password("a new long password")
    assert client.get("/account").status_code == 200  # this session stays logged in


def test_a_password_change_ends_other_sessions(app, db, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": user.email, "password": PASSWORD})
    laptop.post("/account/password", data={"pw-current": PASSWORD,
                                           "pw-password": "a new long password"})
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_change_email_takes_effect_only_when_the_new_address_confirms(
        client, db, make_user, login_as, outbox):
    user = make_user(email="old@example.org")
    login_as(client, user)
    response = client.post("/account/email", data={"em-email": "New@Example.org",
                                                   "em-current": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email == "old@example.org"
    [notice] = outbox(to="old@example.org")
    [confirm] = outbox(to="new@example.org")
    assert "Email change requested" == notice.subject
    client.post(link_path(confirm.body))
    db.session.refresh(user)
    assert user.email == "new@example.org"


def test_delete_account_removes_personal_data_but_keeps_votes(client, db, make_user,
                                                             login_as):
    from deliberation.models import Conversation, Participant, Statement, Vote

    user = make_user(email="ana@example.org", name="Ana", roles=("facilitator",))
    conversation = Conversation(title="Park", statements=[Statement(text="More trees")])
    db.session.add(conversation)
    db.session.flush()
    participant = Participant(conversation_id=conversation.id, user_id=user.id)
    db.session.add(participant)
    db.session.flush()
    db.session.add(Vote(conversation_id=conversation.id, participant_id=participant.id,
                        statement_id=conversation.statements[0].id, value=1))
    db.session.commit()
    login_as(client, user)

    refused = client.post("/account/delete", data={"del-current": PASSWORD})
    assert refused.status_code == 400  # the "I understand" box was not ticked
    with client:
        response = client.post("/account/delete", data={"del-current": PASSWORD,
                                                        "del-understood": "y"})
        assert response.status_code == 302
        client.get("/")
        assert not current_user.is_authenticated

    db.session.refresh(user)
    assert user.email is None and user.display_name == "" and user.password_hash == ""
    assert user.deleted_at is not None and user.roles == {"citizen"}
    assert db.session.scalar(select(Vote)).value == 1
    assert db.session.scalar(select(Participant)).user_id is None  # the vote stays, unlinked
    assert db.session.scalar(select(AuditEntry.action)) == "account.deleted"
    # The address is free again.
    again = client.post("/register", data={"display_name": "Ana", "email": "ana@example.org",
                                           "password": "a long enough passphrase"})
    assert again.status_code == 302


def test_an_unconfirmed_user_can_ask_for_a_new_confirmation_link(client, db, make_user,
                                                                 login_as, outbox):
    user = make_user(email="ana@example.org", confirmed=False)
    login_as(client, user)
    assert b"Send the confirmation link again" in client.get("/account").data
    client.post("/account/confirm/resend")
    [email] = outbox(to="ana@example.org")
    client.post(link_path(email.body))
    db.session.refresh(user)
    assert user.is_confirmed


def test_changing_to_an_address_already_in_use_reveals_nothing_and_changes_nothing(
        client, db, make_user, login_as, outbox):
    make_user(email="taken@example.org")
    user = make_user(email="ana@example.org")
    login_as(client, user)
    response = client.post("/account/email", data={"em-email": "taken@example.org",
                                                   "em-current": PASSWORD})
    assert response.status_code == 302  # same answer as for a free address
    assert outbox(to="taken@example.org") == []
    assert [e.subject for e in outbox(to="ana@example.org")] == ["Email change requested"]
    db.session.refresh(user)
    assert user.email == "ana@example.org"
