"""Who may cast a budget ballot, and what is stored (pb.voting.cast, service layer): a voter
code is checked by its value and spends only itself, a vote with neither account nor code
is refused as "not on the list", an area limit admits the people living there, a
cumulative ballot keeps its points, and receipts read ABCD-EFGH-JKLM."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db
from pb import voting
from pb.models import Ballot
from tests.pb.helpers import T0, ballots

NOW = T0.replace(day=3)


def test_a_code_that_was_never_issued_is_refused_while_real_codes_wait(app, people,
                                                                      make_process):
    process = make_process("approval")
    voting.generate_codes(process.id, 2, actor=people["official"], now=NOW)
    with pytest.raises(voting.CodeUnusable):
        voting.cast(process.id, {"project": ["1"]}, now=NOW, code="ABCD-EFGH-JKLM")
    assert ballots(process.id) == 0


def test_using_one_code_leaves_the_other_codes_of_the_batch_usable(app, people, make_process):
    process = make_process("approval")
    first, second = voting.generate_codes(process.id, 2, actor=people["official"], now=NOW)
    voting.cast(process.id, {"project": ["1"]}, now=NOW, code=first)
    voting.cast(process.id, {"project": ["2"]}, now=NOW, code=second)
    assert ballots(process.id) == 2


def test_a_vote_with_neither_account_nor_code_is_refused_as_not_on_the_list(app, people,
                                                                           make_process):
    process = make_process("approval")
    with pytest.raises(voting.NotEligible) as refused:
        voting.cast(process.id, {"project": ["1"]}, now=NOW)
    assert refused.value.reason == "list"
    assert refused.value.args == (process.id, "list")
    assert ballots(process.id) == 0


def test_an_area_limit_admits_those_living_there_and_refuses_the_others(app, people,
                                                                      make_process):
    process = make_process("approval")
    process.eligible_areas = ["Old Town"]
    people["citizen"].area = "Old Town"
    people["other"].area = "Riverside"
    db.session.commit()
    assert voting.cast(process.id, {"project": ["1"]}, now=NOW, user=people["citizen"])
    with pytest.raises(voting.NotEligible) as refused:
        voting.cast(process.id, {"project": ["1"]}, now=NOW, user=people["other"])
    assert refused.value.reason == "area"
    assert ballots(process.id) == 1


def test_an_online_ballot_keeps_its_points_channel_and_time(app, people, make_process):
    process = make_process("cumulative", points_total=5)
    receipt = voting.cast(process.id, {"points-1": ["3"], "points-2": ["2"]}, now=NOW,
                          user=people["citizen"])
    db.session.expire_all()
    ballot = db.session.scalar(select(Ballot).where(Ballot.process_id == process.id))
    assert (ballot.vote, ballot.points, ballot.channel) == ("1,2", "3,2", "online")
    assert ballot.cast_at == NOW and ballot.receipt == receipt


def test_receipts_and_codes_are_three_groups_of_four():
    for code in (voting.new_code() for _ in range(20)):
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code), code


def test_an_account_off_the_eligibility_list_is_refused_as_not_on_the_list(app, people,
                                                                          make_process):
    process = make_process("approval")
    voting.set_eligible_emails(process.id, "cit@example.org", actor=people["official"],
                               now=NOW)
    process.eligibility_limited = True
    db.session.commit()
    with pytest.raises(voting.NotEligible) as refused:
        voting.cast(process.id, {"project": ["1"]}, now=NOW, user=people["other"])
    assert refused.value.reason == "list"
    assert voting.cast(process.id, {"project": ["1"]}, now=NOW, user=people["citizen"])
    assert ballots(process.id) == 1
