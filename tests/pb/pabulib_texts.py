"""pabulib texts the reading tests start from: a small valid election, the same with one
line changed, and an election of any vote type written from its votes."""
from __future__ import annotations

VALID = """META
key;value
budget;100
vote_type;approval
num_projects;2
num_votes;2
PROJECTS
project_id;cost;name
1;60;"A; with a semicolon"
2;50;B
VOTES
voter_id;vote
v1;1,2
v2;2
"""


def replace_line(line: int, new: str | None) -> str:
    lines = VALID.splitlines()
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\n".join(lines) + "\n"


def election_text(vote_type: str, votes: str, *, points_column: bool = False, meta: str = "",
              projects: str = "1;60;A\n2;50;B\n3;40;C\n") -> str:
    header = "voter_id;vote;points" if points_column else "voter_id;vote"
    return (f"META\nkey;value\nbudget;100\nvote_type;{vote_type}\n{meta}"
            f"PROJECTS\nproject_id;cost;name\n{projects}VOTES\n{header}\n{votes}")
