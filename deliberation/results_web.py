"""The opinion map, the facilitator report and the downloads: read the stored run only."""
from __future__ import annotations

from flask import Response, jsonify, render_template

from core.db import utcnow
from deliberation import identity, queries, report, service, transfer
from deliberation.blueprint import bp, conversation_or_404, user


def _common(conversation) -> dict:
    return {"conversation": conversation,
            "results": queries.result_age(conversation.id, now=utcnow()),
            "can_moderate": service.can_moderate(user(), conversation),
            "can_facilitate": service.can_facilitate(user(), conversation)}


@bp.get("/<int:conversation_id>/map")
def opinion_map(conversation_id):
    """Participants as dots by opinion group, you among them, the groups' statements."""
    conversation = conversation_or_404(conversation_id)
    run = report.stored(conversation.id)
    participant = service.find_participant(conversation.id, identity.current_who())
    texts = report.statement_texts(conversation)
    me = report.you(conversation.id, participant.id if participant else None)
    data = None
    cards, agreed = [], {"agree": [], "disagree": []}
    if run is not None:
        cards = report.group_cards(run.math, texts)
        agreed = report.consensus(run.math, texts)
        data = {**run.points, "you": me,
                "labels": {str(c["id"]): c["label"] for c in cards}}
    sizes = {}
    if run is not None:
        for group in run.points.get("group", []):
            sizes[group] = sizes.get(group, 0) + 1
    mine = None
    if me is not None and run is not None and me in run.points.get("pids", []):
        mine = run.points["group"][run.points["pids"].index(me)]
    return render_template("deliberation/map.html", data=data, cards=cards, consensus=agreed,
                           you_group=mine, **_common(conversation))


@bp.get("/<int:conversation_id>/report", endpoint="report")
def report_page(conversation_id):
    """Every statement by group, consensus ranking, uncertainty, participation, UMAP view."""
    conversation = conversation_or_404(conversation_id)
    run = report.stored(conversation.id, umap=True)
    rows = report.statement_table(conversation.id, run.math if run else None)
    ranked = sorted((r for r in rows if r["gac"] is not None), key=lambda r: -r["gac"])
    uncertain = sorted((r for r in rows if r["total"] and r["pass"] >= 30),
                       key=lambda r: -r["pass"])
    agreed = report.consensus(run.math, report.statement_texts(conversation)) if run else {}
    return render_template("deliberation/report.html", rows=rows, ranked=ranked,
                           uncertain=uncertain, run=run,
                           citation=report.citation(agreed),
                           participation=report.participation_by_day(conversation.id),
                           **_common(conversation))


@bp.get("/<int:conversation_id>/export.zip")
def export(conversation_id):
    """Polis openData files (public for public conversations, as Polis reports are)."""
    conversation = conversation_or_404(conversation_id)
    return Response(transfer.export_zip(conversation), mimetype="application/zip",
                    headers={"Content-Disposition":
                             f"attachment; filename=conversation-{conversation.id}.zip"})


@bp.get("/<int:conversation_id>/math.json")
def math_json(conversation_id):
    """The stored run in the math-pca2 shape, ids as in the export."""
    conversation = conversation_or_404(conversation_id)
    run = report.stored(conversation.id)
    if run is None:
        return jsonify(error="results have not been computed yet"), 404
    return jsonify(run.math)


