"""Issue 14: counts that can pass 999 (votes, ballots, signatures, voters) are grouped the
reader's way inside translated sentences ("12,500 votes"), not printed raw ("12500")."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale

from deliberation.report import citation


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "“Plant more trees” — 81% agree (12,500 votes)"),
    ("zh_Hant", "「Plant more trees」— 81% 同意（12,500 票）"),
])
def test_a_report_citation_groups_the_vote_count(app, locale, expected):
    with app.test_request_context("/"), force_locale(locale):
        assert citation({"agree": [{"text": "Plant more trees", "pct": 81, "n": 12500}]}) \
            == [expected]


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "from 12,500 votes"),
    ("zh_Hant", "依據 12,500 張票"),
])
def test_the_results_freshness_line_groups_the_vote_count(app, locale, expected):
    results = SimpleNamespace(seconds=3, n_votes=12500)
    with app.test_request_context("/"), force_locale(locale):
        html = render_template("deliberation/_updated.html", results=results)
    assert expected in html and "12500" not in html
