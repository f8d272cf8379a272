"""Voter codes are single use, also when 50 attempts race (guarded UPDATE, reliability §3b)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from core.db import db
from pb import voting
from pb.models import Ballot, VoterCode
from tests.pb.helpers import T0, ballots

NOW = T0.replace(day=3)


def test_a_code_votes_once(app, people, make_process):
    process = make_process("approval")
    (code,) = voting.generate_codes(process.id, 1, actor=people["official"], now=NOW)
    receipt = voting.cast(process.id, {"project": ["1"]}, now=NOW, code=code.lower())
    assert receipt
    try:
        voting.cast(process.id, {"project": ["2"]}, now=NOW, code=code)
        raise AssertionError("second use accepted")
    except voting.CodeUnusable:
        pass
    assert ballots(process.id) == 1


def test_a_code_of_another_process_is_refused(app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    (code,) = voting.generate_codes(first.id, 1, actor=people["official"], now=NOW)
    try:
        voting.cast(second.id, {"project": ["1"]}, now=NOW, code=code)
        raise AssertionError("code of another process accepted")
    except voting.CodeUnusable:
        pass
    assert ballots(second.id) == 0


def test_fifty_parallel_attempts_with_one_code_store_one_ballot(app, people, make_process):
    process = make_process("approval")
    (code,) = voting.generate_codes(process.id, 1, actor=people["official"], now=NOW)
    process_id = process.id
    db.session.remove()
    barrier = threading.Barrier(50)

    def attempt(k):
        with app.app_context():
            barrier.wait()
            try:
                voting.cast(process_id, {"project": [str(1 + k % 4)]}, now=NOW, code=code)
                return "ok"
            except voting.CodeUnusable:
                return "used"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("ok") == 1 and outcomes.count("used") == 49
    assert ballots(process_id) == 1
    assert db.session.scalar(select(VoterCode.used_at)) is not None
    assert db.session.scalar(select(Ballot.channel)) == "code"


def test_the_code_form_leads_to_the_ballot(client, people, make_process):
    import time_machine

    process = make_process("approval")
    (code,) = voting.generate_codes(process.id, 1, actor=people["official"], now=NOW)
    with time_machine.travel(NOW, tick=False):
        wrong = client.post(f"/budgets/{process.id}/code", data={"code": "WRONG"})
        assert wrong.status_code == 422  # the ballot page again, the error on the code field
        page = wrong.get_data(as_text=True)
        assert 'role="alert" id="code-error">This voter code is unknown or already used.' in page
        assert 'aria-invalid="true" aria-describedby="code-error"' in page
        assert client.post(f"/budgets/{process.id}/code", data={"code": code}
                           ).status_code == 302
        done = client.post(f"/budgets/{process.id}/ballot/confirm",
                           data={"process": process.id, "project": ["3"]})
        assert done.status_code == 302 and "/receipt/" in done.headers["Location"]
        again = client.post(f"/budgets/{process.id}/ballot/confirm",
                            data={"process": process.id, "project": ["2"]})
        assert again.status_code in (302, 401)  # the code left the session: log in
        assert "/receipt/" not in again.headers.get("Location", "")
    assert ballots(process.id) == 1


def test_twenty_parallel_ballots_of_one_voter_keep_one_row(app, people, make_process):
    """Reliability R3: the unique constraint, not a check, keeps one ballot per voter."""
    process = make_process("approval")
    process_id, user_id = process.id, people["citizen"].id
    db.session.remove()
    barrier = threading.Barrier(20)

    def attempt(k):
        from accounts.models import User

        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.close()  # hold no pooled connection while waiting at the barrier
            barrier.wait()
            try:
                return voting.cast(process_id, {"project": [str(1 + k % 4)]}, now=NOW,
                                   user=user)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=20) as pool:
        receipts = set(pool.map(attempt, range(20)))
    assert len(receipts) == 1  # every cast answered with the one row's receipt
    assert ballots(process_id) == 1
