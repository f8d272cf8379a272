"""Voter codes come in batches of 1 to 5000, and a ballot's points are whole numbers of at
most 11 characters (killed issue-15 mutation survivors in pb/voting.py `generate_codes` and
pb/ballots.py `_whole`)."""
from __future__ import annotations

import pytest

from pb import voting
from pb.ballots import _whole
from tests.pb.helpers import T0

NOW = T0.replace(day=3)


@pytest.mark.parametrize("count", [0, 5001])
def test_a_batch_outside_1_to_5000_is_refused(app, people, make_process, count):
    process = make_process("approval")
    with pytest.raises(ValueError) as refused:
        voting.generate_codes(process.id, count, actor=people["official"], now=NOW)
    assert str(refused.value) == "count must be from 1 to 5000"


def test_a_batch_of_5000_is_made(app, people, make_process):
    process = make_process("approval")
    codes = voting.generate_codes(process.id, 5000, actor=people["official"], now=NOW)
    assert len(set(codes)) == 5000


@pytest.mark.parametrize(("text", "number"), [
    ("-5", -5), (" 7 ", 7), ("", 0), ("12345678901", 12345678901), ("123456789012", None),
    ("-1234567890", -1234567890), ("X5", None), ("5X", None),
])
def test_points_are_whole_numbers_of_at_most_11_characters(text, number):
    assert _whole(text) == number
