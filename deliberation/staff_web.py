"""Facilitator and moderator pages: create/edit, phases, moderation queue, import."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from core.db import utcnow
from core.roles import Role
from core.security import role_required
from core.states import InvalidTransition
from deliberation import facilitation, forms, service, transfer
from deliberation.blueprint import bp, conversation_or_404, user
from deliberation.models import ConversationPhase, Moderation, Statement
from deliberation.service import NotAllowed, NotFound


def _facilitated(conversation_id: int):
    conversation = conversation_or_404(conversation_id)
    if not service.can_facilitate(user(), conversation):
        abort(403)
    return conversation


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.FACILITATOR, Role.ADMIN)
def create():
    form = forms.ConversationForm()
    if form.validate_on_submit():
        try:
            conversation = facilitation.create_conversation(
                actor=user(), settings=form.settings(), seeds=form.seeds(), now=utcnow())
        except NotAllowed as exc:
            form.seed_statements.errors.append(str(exc))
        else:
            flash(_("Conversation created as a draft. Open it when it is ready."), "success")
            return redirect(url_for("deliberation.edit", conversation_id=conversation.id))
    status = 400 if form.errors else 200
    return render_template("deliberation/form.html", form=form, conversation=None), status


@bp.route("/<int:conversation_id>/edit", methods=["GET", "POST"])
def edit(conversation_id):
    conversation = _facilitated(conversation_id)
    form = _edit_form(conversation) if request.method == "GET" else forms.ConversationForm(
        obj=conversation)
    if form.validate_on_submit():
        try:
            facilitation.update_conversation(conversation.id, actor=user(),
                                             settings=form.settings(), seeds=form.seeds(),
                                             now=utcnow())
        except NotAllowed as exc:
            form.seed_statements.errors.append(str(exc))
        else:
            flash(_("Conversation saved."), "success")
            return redirect(url_for("deliberation.edit", conversation_id=conversation.id))
    status = 400 if form.errors else 200
    return render_template("deliberation/form.html", form=form, conversation=conversation,
                           phases=ConversationPhase), status


def _edit_form(conversation):
    """The edit form filled from the stored conversation (seed statements start empty)."""
    form = forms.ConversationForm(obj=conversation, formdata=None)
    form.seed_statements.data = ""
    for name in ("opens_at", "closes_at"):
        value = getattr(conversation, name)
        getattr(form, name).data = value.replace(tzinfo=None) if value else None
    return form


@bp.post("/<int:conversation_id>/phase")
def phase(conversation_id):
    """Open or close the conversation; a refused change shows the edit page with the reason
    (400 for an unknown phase, 409 for one not reachable from the current phase)."""
    conversation = _facilitated(conversation_id)
    try:
        target = ConversationPhase(request.form.get("phase", ""))
        facilitation.change_phase(conversation.id, target, actor=user(), now=utcnow())
    except (ValueError, InvalidTransition) as exc:
        return render_template(
            "deliberation/form.html", form=_edit_form(conversation), conversation=conversation,
            phases=ConversationPhase, phase_error=_("That change is not possible now."),
        ), 409 if isinstance(exc, InvalidTransition) else 400
    flash(_("Conversation updated."), "success")
    return redirect(url_for("deliberation.edit", conversation_id=conversation.id))


@bp.route("/<int:conversation_id>/moderation", methods=["GET", "POST"])
def moderation(conversation_id):
    """The queue of new statements; accept, reject or mark meta, one or many at once."""
    conversation = conversation_or_404(conversation_id)
    if not service.can_moderate(user(), conversation):
        abort(403)
    form = forms.ModerationForm()
    form.statements.choices = [SelectChoice(s.id, s.text) for s in conversation.statements]
    if form.validate_on_submit():
        try:
            moved = service.moderate(conversation.id, form.statements.data,
                                     Moderation(form.action.data),
                                     reason=form.reason.data or "", actor=user(), now=utcnow())
        except (NotFound, InvalidTransition):
            form.statements.errors.append(_("These statements cannot be moved there."))
        else:
            flash(_("%(num)d statement(s) moderated.", num=moved), "success")
            return redirect(url_for("deliberation.moderation", conversation_id=conversation.id))
    queue = service.moderation_queue(conversation)
    decided = [s for s in conversation.statements if s.moderated_at is not None]
    status = 400 if form.errors else 200
    return render_template("deliberation/moderation.html", conversation=conversation,
                           form=form, queue=queue, decided=decided,
                           states=Moderation), status


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.FACILITATOR, Role.ADMIN)
def import_upload():
    """Upload a Polis openData zip: a closed conversation, nothing created on bad files."""
    form = forms.ImportForm()
    if form.validate_on_submit():
        with tempfile.TemporaryDirectory(prefix="polis-upload-") as tmp:
            path = Path(tmp) / "upload.zip"
            form.archive.data.save(path)
            try:
                conversation = transfer.import_export(path, actor=user(), now=utcnow(),
                                                      title=None)
            except transfer.BadExport as exc:
                form.archive.errors.append(_("This file cannot be imported: %(why)s",
                                             why=str(exc)))
            else:
                flash(_("Imported. Run the math with the worker or "
                        "“flask conversations recompute %(id)d”.", id=conversation.id),
                      "success")
                return redirect(url_for("deliberation.show", conversation_id=conversation.id))
    status = 400 if form.errors else 200
    return render_template("deliberation/import.html", form=form), status


def _open_linked(open_linked, target_id, already_linked: str):
    """Open a conversation about a petition or a budget (`open_linked` is the facilitation
    call) and go on to set it up; one conversation per petition or budget."""
    try:
        conversation = open_linked(target_id, actor=user(), now=utcnow())
    except NotFound:
        abort(404)
    except facilitation.AlreadyLinked:
        abort(409, already_linked)
    except (NotAllowed, PermissionError):
        abort(403)
    return redirect(url_for("deliberation.edit", conversation_id=conversation.id))


@bp.post("/from-petition/<int:petition_id>")
@role_required(Role.FACILITATOR, Role.OFFICIAL, Role.ADMIN)
def from_petition(petition_id):
    """Open a conversation about a petition that crossed its response threshold."""
    return _open_linked(facilitation.open_from_petition, petition_id,
                        _("A conversation was already opened from this petition."))


@bp.post("/from-budget/<int:process_id>")
@role_required(Role.FACILITATOR, Role.OFFICIAL, Role.ADMIN)
def from_budget(process_id):
    """Open a conversation about a budget while it takes proposals."""
    return _open_linked(facilitation.open_from_budget, process_id,
                        _("A conversation was already opened from this budget."))


__all__ = ["Statement"]
