"""The bad-input catalogue (issue 13): one row per hostile request; the forms and values
its rows are built from (the rows: bad_input_cases.py, bad_input_participation.py).

Row: (label, role, "METHOD /path", body). The path names seeded objects in braces (see
PLACEHOLDERS in test_bad_input.py). The body is form fields, except:
  JSON(...)      the body is JSON;   File(bytes, name)   an uploaded file in that field;
  "_csrf": "missing" | "stale" | "forged"   instead of the session's real token.
Every row must be answered with a 4xx (never a 5xx, never a success) and change no row of
any table; the two in REDIRECTED (anonymous visitors) may instead be sent to the login
page. ROLE_ESCALATION fields are added to every form body too.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JSON:
    value: object


@dataclass(frozen=True)
class File:
    data: bytes
    name: str


LONG = "x" * 100_000
HUGE = "99999999999999999999"
# Text that no field should store: controls, line separators, tricks, nothing visible.
INVISIBLE = {
    "C0 control": "Fix\x07 it",
    "C1 control": "Fix\x85 it",
    "C1 CSI": "Fix\x9b it",
    "U+2028": "Fix\u2028it",
    "U+2029": "Fix\u2029it",
    "bidi override": "Fix \u202eti xif",
    "zero-width only": "\u200b\u200c\u200d\u2060",
    "NUL": "Fix\x00it",
    "empty": "",
    "spaces only": "   \t ",
}
ROLE_ESCALATION = {"role": "admin", "roles": "admin", "user_id": "1", "is_admin": "1",
                   "owner_id": "1", "creator_id": "1", "audience_override": "public"}
# Anonymous visitors of a page that needs an account are sent to the login page (302): that
# is the right answer for them, not an error. Every other bad input gets a 4xx.
REDIRECTED = {"new petition: anonymous", "ballot: anonymous without a code"}
SIGN = {"name": "Sam Signer", "email": "sam@example.net", "eligible": "y"}
PETITION = {"scheme_id": "{scheme}", "title": "Fix the lights", "action": "Fix them all.",
            "background": "", "create": "1"}
REGISTER = {"display_name": "Newcomer", "email": "new@example.net",
            "password": "a long enough passphrase"}
STATEMENT = {"text": "Parks need more benches.", "confirmed": "1"}
PROPOSAL = {"title": "Shade trees", "description": "Plant twenty trees.",
            "estimated_cost": "10", "location": "Park", "category": "parks",
            "not_a_duplicate": "y"}
CONVERSATION = {"title": "Traffic", "description": "", "seed_statements": "",
                "statement_max_length": "140", "commitment": "advisory", "audience": "public",
                "anonymous_allowed": "y", "participants_can_write": "y"}
SCHEME = {"title": "New scheme", "authority": "Council", "description": "",
          "commitment": "advisory", "audience": "public", "sponsor_count": "2",
          "visibility_threshold": "0", "response_threshold": "10", "window_days": "30",
          "debate_threshold": "", "response_due_days": "10", "moderation_sla_days": "14",
          "area_kind": "none", "area_choices": "", "eligibility_text": ""}
BUDGET = {"title": "New budget", "description": "", "area": "", "currency": "EUR",
          "budget": "1000", "commitment": "advisory", "audience": "public",
          "vote_type": "approval", "min_projects": "0", "max_projects": "", "rule": "mes",
          "min_share_spent": "0", "points_total": "", "max_points_per_project": "",
          "rank_limit": ""}
DEBATE = {"outcome": "debated", "debated_on": "2026-01-10", "summary": "Debated.",
          "transcript_url": "", "video_url": ""}
PAPER_OK_HEADER = b"sheet,vote,points\n"


def text_cases(label, role, route, body, field):
    return [(f"{label}: {field} {name}", role, route, {**body, field: value})
            for name, value in INVISIBLE.items()] + [
        (f"{label}: {field} oversized", role, route, {**body, field: LONG}),
        (f"{label}: {field} is a file", role, route, {**body, field: File(b"x", "x.txt")}),
        (f"{label}: {field} is a JSON number", role, route,
         JSON({**body, field: 12345})),
        (f"{label}: {field} is a JSON list", role, route, JSON({**body, field: ["a"]})),
    ]
