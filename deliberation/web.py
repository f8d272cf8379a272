"""Conversations web pages for participants: the list, voting, writing statements.

Staff pages (create, edit, moderation, import) are in staff_web.py; the map, report and
downloads in results_web.py. All register on the blueprint of deliberation/blueprint.py.
"""
from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.db import utcnow
from core.web import wants_json
from deliberation import forms, identity, queries, service
from deliberation.blueprint import bp, conversation_or_404, user
from deliberation.service import NotAllowed, NotFound

VOTES = {"agree": 1, "disagree": -1, "pass": 0}


@bp.app_template_global("conversation_for_petition")
def conversation_for_petition(petition_id: int):
    """For the petition page's link (templates/deliberation/_petition_link.html)."""
    from deliberation.facilitation import conversation_for_petition as find

    return find(petition_id, published=False)  # the template shows drafts to facilitators


@bp.app_template_global("petition_conversation_citation")
def petition_conversation_citation(petition_id: int):
    """For the petition response editor (templates/deliberation/_petition_citation.html)."""
    from deliberation.report import petition_citation

    return petition_citation(petition_id)


@bp.app_template_global("may_facilitate")
def may_facilitate(conversation) -> bool:
    """Whether the current user may set this conversation up (the linked-draft notice)."""
    return service.can_facilitate(user(), conversation)


@bp.app_template_global("conversation_for_budget")
def conversation_for_budget(process_id: int):
    """For the budget page's link (templates/deliberation/_budget_link.html)."""
    from deliberation.facilitation import conversation_for_budget as find

    return find(process_id, published=False)  # the template shows drafts to facilitators


@bp.get("/")
def index():
    """Open, upcoming and closed conversations you may see."""
    sections = queries.index_sections(user(), now=utcnow())
    return render_template("deliberation/index.html", sections=sections,
                           can_create=service.can_facilitate(user()))


def _voting_context(conversation, *, error=None):
    who = identity.current_who()
    now = utcnow()
    state = service.voting_state(conversation, who)
    return {"conversation": conversation, "state": state, "error": error,
            "status": service.status(conversation, now),
            "your_votes": queries.your_votes(state.votes),
            "results": queries.result_age(conversation.id, now=now),
            "can_moderate": service.can_moderate(user(), conversation),
            "can_facilitate": service.can_facilitate(user(), conversation)}


@bp.get("/<int:conversation_id>")
def show(conversation_id):
    """The voting page: one statement at a time, progress, your earlier votes."""
    conversation = conversation_or_404(conversation_id)
    return render_template("deliberation/show.html", **_voting_context(conversation))


def _next_json(conversation):
    state = service.voting_state(conversation, identity.current_who())
    statement = state.statement
    return {"voted": state.voted, "total": state.total,
            "progress": _("%(n)d of %(m)d voted", n=state.voted, m=state.total),
            "next": None if statement is None else {"id": statement.id, "text": statement.text}}


@bp.post("/<int:conversation_id>/vote")
def vote(conversation_id):
    """Agree / disagree / pass on one statement; JSON for the page script, else redirect."""
    value = VOTES.get(request.form.get("vote", ""))
    statement_id = request.form.get("statement_id", type=int)
    conversation, error = None, None
    if value is None or statement_id is None:
        error = _("Choose agree, disagree or pass.")
    else:
        try:  # cast_vote loads the conversation and checks that this person may see it
            conversation = service.cast_vote(conversation_id, statement_id, value,
                                             who=identity.current_who(create=True),
                                             now=utcnow())
        except NotFound:
            error = _("There is no such statement in this conversation.")
        except NotAllowed as exc:
            error = str(exc)
    if error:
        conversation = _visible_or_404(conversation_id)
    if wants_json():
        if error:
            return jsonify(error=error), 400
        return jsonify(_next_json(conversation))
    if error:
        return render_template("deliberation/show.html",
                               **_voting_context(conversation, error=error)), 400
    anchor = "" if request.form.get("from") != "list" else "#your-votes"
    # conversation_id, not conversation.id: the commit expired the object (one SELECT less)
    return redirect(url_for("deliberation.show", conversation_id=conversation_id) + anchor)


def _visible_or_404(conversation_id: int):
    """The conversation for a refused vote's answer; 404 (and no new anonymous cookie) for
    one this person may not see, as if the vote had not been looked at."""
    try:
        return service.get_conversation(conversation_id, user=user())
    except NotFound:
        identity.forget_new_token()
        abort(404)


@bp.route("/<int:conversation_id>/write", methods=["GET", "POST"])
def write(conversation_id):
    """Write a statement: first the closest existing ones are shown, then it is sent."""
    conversation = conversation_or_404(conversation_id)
    form = forms.StatementForm(max_length=conversation.statement_max_length)
    similar = []
    if form.validate_on_submit():
        similar = queries.similar_statements(conversation, form.text.data)
        if not similar or form.confirmed.data:
            try:
                service.write_statement(conversation.id, form.text.data,
                                        who=identity.current_who(create=True), now=utcnow())
            except NotAllowed as exc:
                form.text.errors.append(str(exc))
            else:
                return render_template("deliberation/written.html", conversation=conversation)
        form.confirmed.data = True
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("deliberation/write.html", conversation=conversation, form=form,
                           similar=similar), status


