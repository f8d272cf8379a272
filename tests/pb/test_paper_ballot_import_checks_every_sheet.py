"""Paper ballots (pb.voting.import_paper, service layer): every bad sheet is reported with its
line and nothing is stored; a sheet number is per process and refused when already imported;
blank sheets are counted as empty ballots; the import is audited with its count."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from pb import voting
from pb.ballots import Problem
from pb.models import Ballot
from tests.pb.helpers import T0, ballots

NOW = T0.replace(day=3)


def _refused(process, text, people):
    with pytest.raises(voting.PaperErrors) as refused:
        voting.import_paper(process.id, text, actor=people["official"], now=NOW)
    assert ballots(process.id) == 0
    return refused.value.errors


def test_a_file_starting_with_a_byte_order_mark_is_read(app, people, make_process):
    process = make_process("approval")
    assert voting.import_paper(process.id, "\ufeffsheet,vote\n7,1\n",
                               actor=people["official"], now=NOW) == 1


def test_a_header_without_the_vote_column_is_refused_on_line_one(app, people, make_process):
    process = make_process("approval")
    assert _refused(process, "sheet,choice\n7,1\n", people) == [
        (1, "the header must name the columns sheet and vote")]


def test_a_file_with_only_the_header_is_refused(app, people, make_process):
    process = make_process("approval")
    assert _refused(process, "sheet,vote\n", people) == [(2, "the file has no ballots")]


def test_every_bad_sheet_is_reported_with_its_line(app, people, make_process):
    process = make_process("approval")
    text = "sheet,vote\n,1\n8,\"1,1\"\n9,1\n"
    assert _refused(process, text, people) == [
        (2, "missing or repeated sheet number"), (3, Problem("repeated", {}))]


def test_sheet_numbers_must_be_printable_and_at_most_64_characters(app, people, make_process):
    process = make_process("approval")
    assert _refused(process, "sheet,vote\na\u200bb,1\n", people) == [
        (2, "unreadable sheet number")]
    assert _refused(process, "sheet,vote\n" + "7" * 65 + ",1\n", people) == [
        (2, "unreadable sheet number")]
    assert voting.import_paper(process.id, "sheet,vote\n" + "7" * 64 + ",1\n",
                               actor=people["official"], now=NOW) == 1


def test_blank_sheets_are_counted_as_empty_ballots(app, people, make_process):
    approval = make_process("approval")
    assert voting.import_paper(approval.id, "sheet,vote\n7,\n",
                               actor=people["official"], now=NOW) == 1
    cumulative = make_process("cumulative", points_total=5)
    assert voting.import_paper(cumulative.id, "sheet,vote,points\n7,,\n",
                               actor=people["official"], now=NOW) == 1


def test_a_paper_ballot_is_stored_as_paper_at_the_import_time(app, people, make_process):
    process = make_process("cumulative", points_total=5)
    voting.import_paper(process.id, "sheet,vote,points\n7,\"1,2\",\"3,2\"\n",
                        actor=people["official"], now=NOW)
    db.session.expire_all()
    ballot = db.session.scalar(select(Ballot).where(Ballot.process_id == process.id))
    assert (ballot.voter_key, ballot.vote, ballot.points, ballot.channel) == (
        "paper:7", "1,2", "3,2", "paper")
    assert ballot.cast_at == NOW and ballot.updated_at == NOW


def test_a_sheet_number_is_per_process_and_online_ballots_do_not_block_it(app, people,
                                                                         make_process):
    first, second = make_process("approval"), make_process("approval")
    voting.cast(second.id, {"project": ["2"]}, now=NOW, user=people["citizen"])
    for process in (first, second):
        assert voting.import_paper(process.id, "sheet,vote\n7,1\n",
                                   actor=people["official"], now=NOW) == 1
    assert (ballots(first.id), ballots(second.id)) == (1, 2)


def test_importing_sheets_again_is_refused_naming_the_first_ten(app, people, make_process):
    process = make_process("approval")
    text = "sheet,vote\n" + "".join(f"{n},1\n" for n in range(10, 21))
    assert voting.import_paper(process.id, text, actor=people["official"], now=NOW) == 11
    with pytest.raises(voting.PaperErrors) as refused:
        voting.import_paper(process.id, text, actor=people["official"], now=NOW)
    assert refused.value.errors == [
        (0, "sheet already imported: 10, 11, 12, 13, 14, 15, 16, 17, 18, 19")]
    assert str(refused.value) == "1 error(s)"
    assert ballots(process.id) == 11


def test_an_import_is_audited_with_who_when_and_how_many(app, people, make_process):
    process = make_process("approval")
    voting.import_paper(process.id, "sheet,vote\n7,1\n8,2\n", actor=people["official"],
                        now=NOW)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "budget.paper"))
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.at, entry.details) == (
        people["official"].id, "budget_process", str(process.id), NOW, {"count": 2})


def test_an_unreadable_sheet_number_does_not_stop_the_check_of_the_next_sheets(app, people,
                                                                             make_process):
    process = make_process("approval")
    text = "sheet,vote\na\u200bb,1\n8,\"1,1\"\n" + "7" * 65 + ",1\n,1\n"
    assert _refused(process, text, people) == [
        (2, "unreadable sheet number"), (3, Problem("repeated", {})),
        (4, "unreadable sheet number"), (5, "missing or repeated sheet number")]
