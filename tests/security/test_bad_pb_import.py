"""`flask budgets import` (the .pb import) refuses bad pabulib files (issue 13): exit code 2
with a `file:line: message` error, no traceback, and no row added to any table. (A voter_id
given twice is a documented repair, not an error: pb/pabulib.py.)"""
from __future__ import annotations

import pytest

from tests.helpers import make_app
from tests.security.helpers import row_counts

GOOD_META = ("META\nkey;value\ndescription;Test\nnum_projects;2\nnum_votes;2\nbudget;100\n"
             "vote_type;approval\nrule;greedy\n")
GOOD_PROJECTS = "PROJECTS\nproject_id;cost;votes\n1;60;2\n2;50;1\n"
GOOD_VOTES = "VOTES\nvoter_id;vote\n1;1,2\n2;1\n"

BAD_FILES = {
    "empty": "",
    "not pabulib": "hello, world\n",
    "binary": "\x00\x01\x02\xff",
    "no PROJECTS section": GOOD_META + GOOD_VOTES,
    "no META section": GOOD_PROJECTS + GOOD_VOTES,
    "vote for an unknown project": GOOD_META + GOOD_PROJECTS + "VOTES\nvoter_id;vote\n1;9\n",
    "negative cost": GOOD_META + "PROJECTS\nproject_id;cost;votes\n1;-60;2\n2;50;1\n"
                     + GOOD_VOTES,
    "cost is text": GOOD_META + "PROJECTS\nproject_id;cost;votes\n1;lots;2\n2;50;1\n"
                    + GOOD_VOTES,
    "huge budget": GOOD_META.replace("budget;100", "budget;" + "9" * 400) + GOOD_PROJECTS
                   + GOOD_VOTES,
    "huge cost": GOOD_META + "PROJECTS\nproject_id;cost;votes\n1;" + "9" * 30 + ";2\n"
                 + "2;50;1\n" + GOOD_VOTES,
    "negative budget": GOOD_META.replace("budget;100", "budget;-100") + GOOD_PROJECTS
                       + GOOD_VOTES,
    "unknown vote type": GOOD_META.replace("approval", "plurality") + GOOD_PROJECTS
                         + GOOD_VOTES,
    "duplicate project ids": GOOD_META + "PROJECTS\nproject_id;cost;votes\n1;60;2\n1;50;1\n"
                             + GOOD_VOTES,
    "truncated row": GOOD_META + "PROJECTS\nproject_id;cost;votes\n1\n" + GOOD_VOTES,
}


@pytest.fixture
def app(tmp_path):
    """One app per case: the PostgreSQL half drops a test's database when the test ends."""
    return make_app(tmp_path)


def test_the_good_file_imports(app, tmp_path):
    """The base the bad files are cut from is itself importable (so each refusal is about
    what was changed)."""
    path = tmp_path / "good.pb"
    path.write_text(GOOD_META + GOOD_PROJECTS + GOOD_VOTES)
    result = app.test_cli_runner().invoke(args=["budgets", "import", str(path),
                                                "--rule", "greedy"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_pb_file_is_refused_and_changes_nothing(app, tmp_path, name):
    path = tmp_path / "bad.pb"
    path.write_bytes(BAD_FILES[name].encode("utf-8", "surrogateescape"))
    with app.app_context():
        before = row_counts()
    result = app.test_cli_runner().invoke(args=["budgets", "import", str(path),
                                                "--rule", "greedy"])
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "error:" in result.output and "Traceback" not in result.output
    with app.app_context():
        assert row_counts() == before
