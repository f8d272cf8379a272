"""View models for the opinion map and the facilitator report, read from the stored run
(math-pca2 JSON) and plain counts: no math runs here (docs/polis-math.md §7–§9, §13)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.db import db
from deliberation.models import Conversation, ConversationResult, Participant, Statement, Vote


@dataclass(frozen=True)
class Stored:
    math: dict
    points: dict
    umap: dict | None
    computed_at: datetime
    n_votes: int


def stored(conversation_id: int, *, umap: bool = False) -> Stored | None:
    row = db.session.get(ConversationResult, conversation_id)
    if row is None or not row.math:
        return None
    return Stored(math=row.math, points=row.points or {}, umap=row.umap if umap else None,
                  computed_at=row.computed_at, n_votes=row.n_votes)


def _pct(part: float, whole: float) -> int:
    return round(100 * part / whole) if whole else 0


def group_cards(math: dict, texts: dict[int, str]) -> list[dict]:
    """Per group: size, and its representative statements with agree/disagree % inside the
    group and outside it (all other groups together)."""
    votes = math.get("group-votes", {})
    cards = []
    for gid, records in sorted(math.get("repness", {}).items(), key=lambda kv: int(kv[0])):
        own = votes.get(gid, {})
        rows = []
        for rec in records:
            tid = str(rec["tid"])
            inside = own.get("votes", {}).get(tid, {"A": 0, "D": 0, "S": 0})
            outside = {k: sum(g["votes"].get(tid, {}).get(k, 0)
                              for other, g in votes.items() if other != gid) for k in "ADS"}
            rows.append({"tid": rec["tid"], "text": texts.get(rec["tid"], ""),
                         "repful_for": rec.get("repful-for", "agree"),
                         "in_agree": _pct(inside["A"], inside["S"]),
                         "in_disagree": _pct(inside["D"], inside["S"]),
                         "out_agree": _pct(outside["A"], outside["S"]),
                         "out_disagree": _pct(outside["D"], outside["S"]),
                         "n": inside["S"]})
        cards.append({"id": int(gid), "label": chr(ord("A") + int(gid) % 26),
                      "members": own.get("n-members", 0), "statements": rows})
    return cards


def consensus(math: dict, texts: dict[int, str]) -> dict[str, list[dict]]:
    """Statements most people agree (or disagree) with, across groups (§8)."""
    return {side: [{"tid": r["tid"], "text": texts.get(r["tid"], ""),
                    "pct": round(100 * r["p-success"]), "n": r["n-trials"]}
                   for r in math.get("consensus", {}).get(side, [])]
            for side in ("agree", "disagree")}


def statement_table(conversation_id: int, math: dict | None) -> list[dict]:
    """Every statement: overall agree/disagree/pass % and counts (current votes), per-group
    % (stored run), group-aware consensus, and pass rate (uncertainty)."""
    counts: dict[int, dict[int, int]] = {}
    for sid, value, n in db.session.execute(
            select(Vote.statement_id, Vote.value, func.count())
            .where(Vote.conversation_id == conversation_id)
            .group_by(Vote.statement_id, Vote.value)):
        counts.setdefault(sid, {})[value] = n
    math = math or {}
    gac = math.get("group-aware-consensus", {})
    group_votes = sorted(math.get("group-votes", {}).items(), key=lambda kv: int(kv[0]))
    rows = []
    for s in db.session.scalars(select(Statement).where(
            Statement.conversation_id == conversation_id).order_by(Statement.number)):
        c = counts.get(s.id, {})
        total = sum(c.values())
        per_group = []
        for gid, g in group_votes:
            v = g["votes"].get(str(s.number), {"A": 0, "D": 0, "S": 0})
            per_group.append({"id": int(gid), "agree": _pct(v["A"], v["S"]),
                              "disagree": _pct(v["D"], v["S"]),
                              "pass": _pct(v["S"] - v["A"] - v["D"], v["S"]), "n": v["S"]})
        rows.append({"statement": s, "total": total,
                     "agree": _pct(c.get(1, 0), total), "disagree": _pct(c.get(-1, 0), total),
                     "pass": _pct(c.get(0, 0), total), "n_agree": c.get(1, 0),
                     "n_disagree": c.get(-1, 0), "n_pass": c.get(0, 0),
                     "gac": gac.get(str(s.number)), "groups": per_group})
    return rows


def participation_by_day(conversation_id: int) -> list[tuple[str, int, int]]:
    """(day, new participants, votes last changed that day)."""
    day = func.substr(func.cast(Participant.created_at, db.String), 1, 10)
    joined = dict(db.session.execute(select(day, func.count()).where(
        Participant.conversation_id == conversation_id).group_by(day)).all())
    vday = func.substr(func.cast(Vote.modified_at, db.String), 1, 10)
    voted = dict(db.session.execute(select(vday, func.count()).where(
        Vote.conversation_id == conversation_id).group_by(vday)).all())
    return [(d, joined.get(d, 0), voted.get(d, 0)) for d in sorted(set(joined) | set(voted))]


def you(conversation_id: int, participant_id: int | None) -> int | None:
    """Your Polis participant id (the map's "you are here"), if you take part."""
    if participant_id is None:
        return None
    return db.session.scalar(select(Participant.number).where(
        Participant.id == participant_id, Participant.conversation_id == conversation_id))


def statement_texts(conversation: Conversation) -> dict[int, str]:
    """Statement number (Polis tid) → text, for the engine's results."""
    return {s.number: s.text for s in conversation.statements}


def citation(agreed: dict[str, list[dict]], *, limit: int = 5) -> list[str]:
    """Lines an official response can quote: the consensus statements with their agree %
    (or disagree %), as the report shows them."""
    lines = [_("“%(text)s” — %(pct)d%% agree (%(n)s votes)", text=r["text"], pct=r["pct"],
               n=format_decimal(r["n"])) for r in agreed.get("agree", [])[:limit]]
    lines += [_("“%(text)s” — %(pct)d%% disagree (%(n)s votes)", text=r["text"],
                pct=r["pct"], n=format_decimal(r["n"]))
              for r in agreed.get("disagree", [])[:limit]]
    return lines


def petition_citation(petition_id: int) -> tuple[Conversation, list[str]] | None:
    """The conversation opened from a petition and the lines its official response can quote
    (the consensus statements with their agree %), once results are stored; else None."""
    from deliberation.facilitation import conversation_for_petition

    conversation = conversation_for_petition(petition_id)
    run = stored(conversation.id) if conversation is not None else None
    if run is None:
        return None
    return conversation, citation(consensus(run.math, statement_texts(conversation)))
