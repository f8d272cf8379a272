"""An account votes only from a confirmed email address (issue 13: nothing forged). Anyone
may register with a made-up or someone else's address; until its link is opened the account
casts no ballot, the ballot page says why and offers the confirmation email again, and
voter codes keep working. Petitions treat such accounts alike (one-click signing waits for
an emailed confirmation)."""
from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from accounts.models import User
from core.db import db
from pb import voting
from pb.models import Ballot
from tests.helpers import link_path
from tests.pb.helpers import T0, ballots

NOW = T0.replace(day=3)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _unconfirmed(email="new@example.org"):
    user = User(email=email, display_name="New")
    db.session.add(user)
    db.session.commit()
    return user


def _post(client, process, step, data):
    return client.post(f"/budgets/{process.id}/{step}", data={"process": process.id, **data})


def test_an_unconfirmed_account_is_refused_with_a_reason_then_votes_once_confirmed(
        client, login_as, make_process, outbox):
    process = make_process("approval", max_projects=2)
    user = _unconfirmed()
    login_as(client, user)

    page = client.get(f"/budgets/{process.id}/ballot").get_data(as_text=True)
    assert "Confirm your email address to vote" in page and "new@example.org" in page
    assert 'action="/account/confirm/resend"' in page
    assert 'id="pb-ballot"' not in page  # no ballot form to fill in for nothing
    assert f'action="/budgets/{process.id}/code"' in page  # a voter code still works

    for step in ("ballot", "ballot/confirm"):
        refused = _post(client, process, step, {"project": ["1", "2"]})
        assert refused.status_code == 403, step
        assert "Confirm your email address to vote" in refused.get_data(as_text=True)
    assert ballots(process.id) == 0

    sent = client.post("/account/confirm/resend",
                       data={"next": f"/budgets/{process.id}/ballot"})
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/budgets/{process.id}/ballot")
    [email] = outbox(to="new@example.org")
    assert client.post(link_path(email.body)).status_code == 302
    db.session.refresh(user)
    assert user.is_confirmed

    assert _post(client, process, "ballot", {"project": ["1", "2"]}).status_code == 200
    done = _post(client, process, "ballot/confirm", {"project": ["1", "2"]})
    assert done.status_code == 302 and "/receipt/" in done.headers["Location"]
    assert db.session.scalars(select(Ballot.voter_key)).all() == [f"u{user.id}"]


def test_the_resend_button_returns_only_to_a_page_of_this_site(client, login_as):
    login_as(client, _unconfirmed())
    away = client.post("/account/confirm/resend", data={"next": "https://evil.example/"})
    assert away.status_code == 302 and away.headers["Location"].endswith("/account")


def test_a_typed_address_on_the_eligibility_list_does_not_vote_as_its_owner(
        app, people, make_process):
    process = make_process("approval", max_projects=2)
    voting.set_eligible_emails(process.id, "owner@example.org\ncit@example.org",
                               actor=people["official"], now=NOW)
    impostor = _unconfirmed("owner@example.org")
    with pytest.raises(voting.NotEligible) as refused:
        voting.cast(process.id, {"project": ["1"]}, now=NOW, user=impostor)
    assert refused.value.reason == "unconfirmed"
    assert ballots(process.id) == 0
    # the list keeps working for confirmed accounts: on it votes, off it does not
    voting.cast(process.id, {"project": ["1"]}, now=NOW, user=people["citizen"])
    with pytest.raises(voting.NotEligible) as off_list:
        voting.cast(process.id, {"project": ["1"]}, now=NOW, user=people["other"])
    assert off_list.value.reason == "list"
    assert ballots(process.id) == 1


def test_many_made_up_addresses_cast_no_ballot(app, make_process):
    process = make_process("approval", max_projects=2)
    for n in range(5):
        with pytest.raises(voting.NotEligible):
            voting.cast(process.id, {"project": ["1"]}, now=NOW,
                        user=_unconfirmed(f"made-up-{n}@example.org"))
    assert ballots(process.id) == 0


def test_an_unconfirmed_account_may_still_vote_with_a_voter_code(client, people, login_as,
                                                                make_process):
    process = make_process("approval", max_projects=2)
    (code,) = voting.generate_codes(process.id, 1, actor=people["official"], now=NOW)
    login_as(client, _unconfirmed())
    assert client.post(f"/budgets/{process.id}/code", data={"code": code}).status_code == 302
    page = client.get(f"/budgets/{process.id}/ballot").get_data(as_text=True)
    assert 'id="pb-ballot"' in page and "Confirm your email address to vote" not in page
    assert _post(client, process, "ballot", {"project": ["3"]}).status_code == 200
    done = _post(client, process, "ballot/confirm", {"project": ["3"]})
    assert done.status_code == 302
    assert db.session.scalars(select(Ballot.channel)).all() == ["code"]


def test_the_reason_is_given_in_traditional_chinese(client, login_as, make_process):
    process = make_process("approval", max_projects=2)
    login_as(client, _unconfirmed())
    page = client.get(f"/budgets/{process.id}/ballot",
                      headers={"Accept-Language": "zh-Hant"}).get_data(as_text=True)
    assert "請先確認您的電子郵件地址才能投票" in page and "new@example.org" in page
    assert "Confirm your email address" not in page
