"""Casting ballots on the web: server validation per vote type, review → confirm → receipt,
one row per voter, voting only in its phase (issue 11 "Tests")."""
from __future__ import annotations

import re

import pytest
import time_machine

from core.db import db
from pb.models import Ballot, Phase
from tests.pb.helpers import T0, ballots

NOW = T0.replace(day=3)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def confirm(client, process, data):
    return client.post(f"/budgets/{process.id}/ballot/confirm",
                       data={"process": process.id, **data})


def test_knapsack_ballot_review_confirm_receipt_and_lookup(client, people, login_as,
                                                           make_process):
    process = make_process("knapsack")
    login_as(client, people["citizen"])
    page = client.get(f"/budgets/{process.id}/ballot")
    assert page.status_code == 200 and b'data-cost="4000"' in page.data
    review = client.post(f"/budgets/{process.id}/ballot",
                         data={"process": process.id, "project": ["1", "3"]})
    assert review.status_code == 200 and b"Confirm my ballot" in review.data
    assert ballots(process.id) == 0  # reviewing stores nothing
    done = confirm(client, process, {"project": ["1", "3"]})
    assert done.status_code == 302
    code = re.search(r"/receipt/([A-Z0-9-]+)", done.headers["Location"]).group(1)
    assert ballots(process.id) == 1
    lookup = client.get(f"/budgets/receipt?code={code.lower()}")
    assert lookup.status_code == 200 and code.encode() in lookup.data
    assert client.get("/budgets/receipt?code=NOPE-NOPE").status_code == 404


def test_changing_a_ballot_keeps_one_row_and_the_last_counts(client, people, login_as,
                                                             make_process):
    process = make_process("approval", max_projects=2)
    login_as(client, people["citizen"])
    assert confirm(client, process, {"project": ["1"]}).status_code == 302
    first = db.session.query(Ballot).one().receipt
    assert confirm(client, process, {"project": ["2", "4"]}).status_code == 302
    db.session.expire_all()
    row = db.session.query(Ballot).one()
    assert (row.vote, row.receipt) == ("2,4", first)


@pytest.mark.parametrize("vote_type,rules,data,message", [
    ("knapsack", {}, {"project": ["1", "2"]}, b"more than the budget"),
    ("approval", {"max_projects": 2}, {"project": ["1", "2", "3"]}, b"at most 2"),
    ("approval", {}, {"project": ["1", "99"]}, b"not on this ballot"),
    ("cumulative", {"points_total": 5}, {"points-1": "-1"}, b"cannot be negative"),
    ("cumulative", {"points_total": 5}, {"points-1": "4", "points-2": "3"}, b"at most 5"),
    ("cumulative", {"points_total": 5}, {"points-99": "1"}, b"not on this ballot"),
    ("ordinal", {"rank_limit": 2}, {"rank-1": "1", "rank-2": "2", "rank-3": "3"}, b"at most 2"),
    ("knapsack", {"min_share_spent": 50}, {"project": ["4"]}, b"at least 50%"),
])
def test_bad_ballots_get_a_clear_422_and_nothing_is_stored(client, people, login_as,
                                                          make_process, vote_type, rules,
                                                          data, message):
    process = make_process(vote_type, **rules)
    login_as(client, people["citizen"])
    for url in (f"/budgets/{process.id}/ballot", f"/budgets/{process.id}/ballot/confirm"):
        response = client.post(url, data={"process": process.id, **data})
        assert response.status_code == 422, url
        assert message in response.data
    assert ballots(process.id) == 0


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.RESULTS])
def test_voting_outside_the_voting_phase_is_refused(client, people, login_as, make_process,
                                                    phase):
    process = make_process("approval", phase=phase)
    login_as(client, people["official"])  # officials see drafts
    response = confirm(client, process, {"project": ["1"]})
    assert response.status_code == 409
    assert ballots(process.id) == 0


def test_voting_after_the_closing_date_is_refused_before_tick(client, people, login_as,
                                                              make_process):
    process = make_process("approval")
    with time_machine.travel(T0.replace(day=20), tick=False):
        login_as(client, people["citizen"])  # sessions last 12 hours
        response = confirm(client, process, {"project": ["1"]})
        assert response.status_code == 409, response.headers.get("Location")
    assert ballots(process.id) == 0


def test_a_ballot_for_another_process_is_refused(client, people, login_as, make_process):
    first, second = make_process("approval"), make_process("approval")
    login_as(client, people["citizen"])
    response = client.post(f"/budgets/{first.id}/ballot/confirm",
                           data={"process": second.id, "project": ["1"]})
    assert response.status_code == 400
    assert ballots(first.id) == ballots(second.id) == 0


def test_anonymous_visitors_cannot_vote(client, make_process):
    process = make_process("approval")
    response = confirm(client, process, {"project": ["1"]})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert ballots(process.id) == 0


def test_eligibility_list_limits_who_votes(client, people, login_as, make_process):
    from pb import voting

    process = make_process("approval")
    voting.set_eligible_emails(process.id, "OTHER@example.org\n", actor=people["official"],
                               now=NOW)
    login_as(client, people["citizen"])
    assert confirm(client, process, {"project": ["1"]}).status_code == 403
    login_as(client, people["other"])
    assert confirm(client, process, {"project": ["1"]}).status_code == 302
    assert ballots(process.id) == 1


def test_staff_only_processes_are_invisible_to_the_public(client, people, login_as,
                                                          make_process):
    from core.process import Audience

    process = make_process("approval", phase=Phase.RESULTS, audience=Audience.STAFF)
    for path in ("", ".json", "/export.pb", "/results", "/ballot"):
        assert client.get(f"/budgets/{process.id}{path}").status_code == 404, path
    assert b"approval budget" not in client.get("/budgets/").data
    login_as(client, people["citizen"])
    assert client.get(f"/budgets/{process.id}.json").status_code == 404
    login_as(client, people["official"])
    assert client.get(f"/budgets/{process.id}.json").status_code == 200


def test_ballot_posts_are_rate_limited(tmp_path):
    from tests.helpers import make_app as _make_app

    (tmp_path / "limited").mkdir()
    limited = _make_app(tmp_path / "limited", RATELIMIT_ENABLED=True,
                        BUDGETS_BALLOT_RATE="3 per minute")
    client = limited.test_client()
    codes = [client.post("/budgets/1/code", data={"code": "x"}).status_code for _ in range(4)]
    assert codes[-1] == 429


@pytest.mark.parametrize("step", ["/ballot", "/ballot/confirm"])
def test_a_json_or_file_body_is_not_a_ballot(client, people, login_as, make_process, step):
    import io

    process = make_process("approval")
    login_as(client, people["citizen"])
    url = f"/budgets/{process.id}{step}"
    as_json = client.post(url, json={"process": process.id, "project": ["1"]})
    assert as_json.status_code == 400
    with_file = client.post(url, content_type="multipart/form-data", data={
        "process": str(process.id), "project": "1",
        "attachment": (io.BytesIO(b"1"), "ballot.txt")})
    assert with_file.status_code == 400
    assert ballots(process.id) == 0


def test_the_review_page_carries_the_ballot_to_confirm(client, people, login_as,
                                                       make_process):
    process = make_process("ordinal", rank_limit=2)
    login_as(client, people["citizen"])
    review = client.post(f"/budgets/{process.id}/ballot",
                         data={"process": process.id, "rank-3": "1", "rank-1": "2"})
    assert review.status_code == 200
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', review.text))
    hidden.pop("csrf_token", None), hidden.pop("next", None)  # page-wide forms (logout)
    assert hidden == {"process": str(process.id), "rank-3": "1", "rank-1": "2"}
    assert confirm(client, process, {k: v for k, v in hidden.items() if k != "process"}
                   ).status_code == 302
    assert db.session.scalar(db.select(Ballot.vote)) == "3,1"


def test_a_valid_ballot_for_a_process_the_voter_may_not_see_is_a_404(client, people, login_as,
                                                                     make_process):
    """The confirm step checks visibility on the process it loads to store the ballot
    (issue 13: loaded once): a staff-only or draft process, or none, is a 404 for a citizen
    whatever the ballot, and nothing is stored; staff may vote in a staff-only one."""
    from core.process import Audience

    hidden = make_process("approval", audience=Audience.STAFF)
    draft = make_process("approval", phase=Phase.DRAFT)
    login_as(client, people["citizen"])
    for process in (hidden, draft):
        assert confirm(client, process, {"project": ["1"]}).status_code == 404
        assert confirm(client, process, {"project": ["9"]}).status_code == 404  # unknown
        assert client.post(f"/budgets/{process.id}/ballot/confirm",
                           data={"process": process.id + 1000}).status_code == 404
    assert client.post(f"/budgets/{draft.id + 1000}/ballot/confirm",
                       data={"process": draft.id + 1000, "project": ["1"]}).status_code == 404
    assert ballots(hidden.id) == ballots(draft.id) == 0
    login_as(client, people["official"])
    assert confirm(client, hidden, {"project": ["1"]}).status_code == 302
    assert ballots(hidden.id) == 1
