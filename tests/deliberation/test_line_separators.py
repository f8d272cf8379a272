"""Issue 13: Unicode line separators in multi-line fields become plain newlines (the
`plain_newlines` filter of every text area); one-line fields keep refusing them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.forms import plain_newlines
from core.roles import Role
from deliberation.models import Conversation, Statement

FORM = {"title": "Parks plan", "participants_can_write": "y", "anonymous_allowed": "y",
        "statement_max_length": "140", "commitment": "advisory", "audience": "public"}


def test_the_filter_maps_each_separator():
    assert plain_newlines("a\u2028b\x85c\u2029d") == "a\nb\nc\n\nd"
    assert plain_newlines("plain\r\ntext") == "plain\r\ntext"
    assert plain_newlines(None) is None


def test_description_and_seed_statements_store_plain_newlines(client, db, make_user,
                                                              login_as):
    login_as(client, make_user(roles=(Role.FACILITATOR,)))
    created = client.post("/conversations/new", data={
        **FORM, "description": "First line\u2028second\u2029Next paragraph",
        "seed_statements": "More shade trees\u2028A dog park\u2029Benches"})
    assert created.status_code == 302
    conversation = db.session.scalar(select(Conversation))
    assert conversation.description == "First line\nsecond\n\nNext paragraph"
    assert [s.text for s in conversation.statements] == [
        "More shade trees", "A dog park", "Benches"]  # one seed per line, as with \n


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_statement_stays_one_line(client, db, make_user, login_as, separator):
    login_as(client, make_user(roles=(Role.FACILITATOR,)))
    assert client.post("/conversations/new", data={**FORM, "seed_statements": ""}
                       ).status_code == 302
    cid = db.session.scalar(select(Conversation.id))
    assert client.post(f"/conversations/{cid}/phase", data={"phase": "open"}
                       ).status_code == 302
    answer = client.post(f"/conversations/{cid}/write",
                         data={"text": f"Fix{separator}it", "confirmed": "1"})
    assert 400 <= answer.status_code < 500
    assert db.session.scalar(select(func.count(Statement.id))) == 0
