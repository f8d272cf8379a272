"""Budget rules refused with the setting and the reason the staff form shows, schedule dates
checked from the first dated phase, and a receipt that says whether the stored results
counted the ballot (killed issue-15 mutation survivors in pb/ballots.py, pb/phases.py and
pb/voting.py `lookup_receipt`)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from pb import voting
from pb.ballots import OUTCOME_RULES, VOTE_TYPES, BallotRules, RulesError
from pb.models import BudgetResult
from pb.phases import Schedule
from tests.pb.helpers import T0

NOW = T0.replace(day=3)


@pytest.mark.parametrize(("settings", "field", "message"), [
    ({"vote_type": "plurality"}, "vote_type", f"vote type must be one of {VOTE_TYPES}"),
    ({"rule": "borda"}, "rule", f"rule must be one of {OUTCOME_RULES}"),
    ({"rule": "phragmen", "vote_type": "cumulative", "points_total": 10}, "rule",
     "Phragmén needs approval or knapsack ballots"),
    ({"min_projects": -1}, "min_projects", "min_projects must be a whole number ≥ 0"),
    ({"rank_limit": 2.5, "vote_type": "ordinal"}, "rank_limit",
     "rank_limit must be a whole number ≥ 0"),
    ({"min_projects": 3, "max_projects": 2}, "max_projects",
     "max_projects must be at least min_projects and 1"),
    ({"max_projects": 0}, "max_projects", "max_projects must be at least min_projects and 1"),
    ({"min_share_spent": 101}, "min_share_spent", "min_share_spent is a percentage"),
    ({"min_share_spent": -1}, "min_share_spent", "min_share_spent is a percentage"),
    ({"vote_type": "cumulative"}, "points_total",
     "cumulative ballots need points to distribute"),
    ({"vote_type": "ordinal"}, "rank_limit", "ordinal ballots need a number of ranks"),
])
def test_contradictory_rules_name_the_setting_and_the_reason(settings, field, message):
    with pytest.raises(RulesError) as refused:
        BallotRules(**settings)
    assert (refused.value.field, str(refused.value)) == (field, message)


@pytest.mark.parametrize("settings", [
    {"min_share_spent": 0}, {"min_share_spent": 100}, {"min_projects": 2, "max_projects": 2},
    {"max_projects": 1}, {"vote_type": "cumulative", "points_total": 1},
    {"vote_type": "ordinal", "rank_limit": 1}, {"rule": "phragmen", "vote_type": "knapsack"},
])
def test_rules_at_their_edges_are_accepted(settings):
    BallotRules(**settings)


def test_a_date_before_the_first_dated_phase_is_refused():
    day = T0
    assert Schedule(proposals=day + timedelta(days=5), review=day + timedelta(days=3),
                    voting=day + timedelta(days=9),
                    results=day + timedelta(days=12)).problems() == ["review"]
    assert Schedule(proposals=day, review=day, voting=day + timedelta(days=1),
                    results=day + timedelta(days=2)).problems() == ["review"]


def _result(process_id, computed_at):
    db.session.add(BudgetResult(process_id=process_id, rule="mes", selected=[], cost=0,
                                ballot_count=1, computed_at=computed_at))
    db.session.commit()


def test_a_receipt_says_counted_only_for_results_computed_since_the_ballot(
        app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    receipt = voting.cast(first.id, {"project": ["1"]}, now=NOW, user=people["citizen"])

    ballot, process, counted = voting.lookup_receipt(receipt)
    assert (ballot.vote, process.id, counted) == ("1", first.id, False)

    _result(second.id, NOW + timedelta(hours=1))  # another process's results
    assert voting.lookup_receipt(receipt)[2] is False

    _result(first.id, NOW)  # computed at the very moment of the ballot
    assert voting.lookup_receipt(receipt)[2] is True


def test_results_computed_before_the_ballot_did_not_count_it(app, people, make_process):
    process = make_process("approval")
    _result(process.id, NOW - timedelta(minutes=1))
    receipt = voting.cast(process.id, {"project": ["2"]}, now=NOW, user=people["citizen"])
    assert voting.lookup_receipt(receipt)[2] is False
    assert voting.lookup_receipt("NO-SUCH-RECEIPT") is None
