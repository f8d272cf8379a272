"""The budget voting look-ups answer for the right voter and process, and the eligibility list
is read, checked and replaced exactly as its form promises (killed issue-15 mutation survivors
in pb/voting.py: `current_choice`, `code_usable`, `set_eligible_emails`)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from pb import voting
from pb.models import BudgetProcess, EligibleVoter
from tests.pb.helpers import T0

NOW = T0.replace(day=3)


def _list(process_id) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(EligibleVoter.email).where(
        EligibleVoter.process_id == process_id).order_by(EligibleVoter.email)))


def test_current_choice_is_this_voters_ballot_in_this_process(app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    citizen, other = people["citizen"], people["other"]
    voting.cast(first.id, {"project": ["1"]}, now=NOW, user=other)
    voting.cast(second.id, {"project": ["2"]}, now=NOW, user=citizen)
    voting.cast(first.id, {"project": ["3"]}, now=NOW, user=citizen)

    mine = voting.current_choice(first.id, f"u{citizen.id}")
    assert (mine.process_id, mine.voter_key, mine.vote) == (first.id, f"u{citizen.id}", "3")
    assert voting.current_choice(second.id, f"u{citizen.id}").vote == "2"
    assert voting.current_choice(second.id, f"u{other.id}") is None


def test_code_usable_only_for_an_unused_code_of_this_process(app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    (code,) = voting.generate_codes(first.id, 1, actor=people["official"], now=NOW)
    assert voting.code_usable(first.id, code)
    assert voting.code_usable(first.id, code.lower())
    assert not voting.code_usable(second.id, code)
    voting.cast(first.id, {"project": ["1"]}, now=NOW, code=code)
    assert not voting.code_usable(first.id, code)


def test_the_list_is_trimmed_lowercased_deduplicated_and_counted(app, people, make_process):
    process = make_process("approval")
    text = "  Ann@Example.org \n\nbob@example.org\nANN@example.org\n   \n"
    assert voting.set_eligible_emails(process.id, text, actor=people["official"],
                                      now=NOW) == 2
    assert _list(process.id) == ["ann@example.org", "bob@example.org"]
    assert db.session.get(BudgetProcess, process.id).eligibility_limited is True


def test_replacing_one_list_leaves_another_process_list_alone(app, people, make_process):
    first, second = make_process("approval"), make_process("approval")
    official = people["official"]
    voting.set_eligible_emails(first.id, "a@example.org\nb@example.org", actor=official, now=NOW)
    voting.set_eligible_emails(second.id, "z@example.org", actor=official, now=NOW)
    voting.set_eligible_emails(first.id, "c@example.org", actor=official, now=NOW)
    assert _list(first.id) == ["c@example.org"]
    assert _list(second.id) == ["z@example.org"]

    assert voting.set_eligible_emails(first.id, "\n \n", actor=official, now=NOW) == 0
    assert _list(first.id) == [] and _list(second.id) == ["z@example.org"]
    assert db.session.get(BudgetProcess, first.id).eligibility_limited is False


@pytest.mark.parametrize("bad", ["no-at-sign.example.org", "a@" + "b" * 253])
def test_a_bad_address_is_named_and_changes_nothing(app, people, make_process, bad):
    process = make_process("approval")
    official = people["official"]
    voting.set_eligible_emails(process.id, "keep@example.org", actor=official, now=NOW)
    with pytest.raises(ValueError) as refused:
        voting.set_eligible_emails(process.id, f"new@example.org\n{bad}", actor=official,
                                   now=NOW)
    assert str(refused.value) == bad
    assert _list(process.id) == ["keep@example.org"]


def test_addresses_of_exactly_254_characters_are_accepted(app, people, make_process):
    process = make_process("approval")
    longest = "a@" + "b" * 252
    assert voting.set_eligible_emails(process.id, longest, actor=people["official"],
                                      now=NOW) == 1
    assert _list(process.id) == [longest]


def test_at_most_five_bad_addresses_are_named(app, people, make_process):
    process = make_process("approval")
    bad = [f"bad{n}.example.org" for n in range(7)]
    with pytest.raises(ValueError) as refused:
        voting.set_eligible_emails(process.id, "\n".join(bad), actor=people["official"],
                                   now=NOW)
    assert str(refused.value) == ", ".join(sorted(bad)[:5])


def test_an_unknown_process_is_named(app, people):
    with pytest.raises(voting.NotFound) as missing:
        voting.set_eligible_emails(9999, "a@example.org", actor=people["official"], now=NOW)
    assert missing.value.args == (9999,)


def test_the_change_is_audited_with_who_when_which_and_how_many(app, people, make_process):
    process = make_process("approval")
    official = people["official"]
    voting.set_eligible_emails(process.id, "a@example.org\nb@example.org", actor=official,
                               now=NOW)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "budget.eligibility")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.details) == (
        official.id, "budget_process", str(process.id), {"count": 2})
    assert entry.at == NOW
