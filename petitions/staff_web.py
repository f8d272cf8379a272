"""Staff pages on the petitions blueprint: moderation and fraud review (moderators),
responses (officials), debate outcomes and schemes (admins)."""
from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from core.db import db, utcnow
from core.roles import Role
from core.security import public_url, role_required
from petitions import forms, labels, lifecycle, moderation, queries, service
from petitions.blueprint import bp
from petitions.models import Petition, PetitionScheme

MODERATORS = sorted(lifecycle.MODERATORS)
OFFICIALS = sorted(lifecycle.OFFICIALS)


@bp.get("/moderation")
@role_required(*MODERATORS)
def moderation_queue():
    """Moderators: petitions awaiting moderation with SLA status, and trending IPs/domains."""
    return _queue_page()


def _queue_page(error=None, status=200):
    now = utcnow()
    return render_template("petitions/moderation.html",
                           queue=moderation.moderation_queue(now=now),
                           trending=moderation.trending(now=now), error=error,
                           action_form=forms.ActionForm(), reject_form=forms.RejectForm()), status


@bp.post("/<int:petition_id>/approve")
@role_required(*MODERATORS)
def approve(petition_id):
    """Moderator: open the petition (thresholds are frozen now)."""
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    return _back_to_queue(lambda: moderation.approve(petition_id, actor=current_user,
                                                     now=utcnow()))


@bp.post("/<int:petition_id>/reject")
@role_required(*MODERATORS)
def reject(petition_id):
    """Moderator: reject with a coded reason."""
    form = forms.RejectForm()
    if not form.validate_on_submit():
        abort(400)
    return _back_to_queue(lambda: moderation.reject(
        petition_id, actor=current_user, reason=form.reason.data,
        details=form.details.data or "", now=utcnow()))


def _back_to_queue(moderate):
    """Run a moderation decision, then back to the queue; a refused one (the petition is no
    longer awaiting moderation) shows the queue again with the reason, answered 409."""
    try:
        moderate()
    except service.NotFound:
        abort(404)
    except lifecycle.InvalidTransition as exc:
        return _queue_page(error=labels.not_now(exc), status=409)
    return redirect(url_for("petitions.moderation_queue"))


@bp.route("/<int:petition_id>/invalidate", methods=["GET", "POST"])
@role_required(*MODERATORS)
def invalidate(petition_id):
    """Moderator: bulk-invalidate by IP/domain/time window, preview count first."""
    petition = db.get_or_404(Petition, petition_id)
    form = forms.InvalidationForm(data={"ip": request.args.get("ip", "")[:64],
                                        "domain": request.args.get("domain", "")[:255]})
    preview = done = None
    if form.validate_on_submit():
        try:
            criteria = moderation.InvalidationCriteria(
                petition_id=petition.id, ip=form.ip.data or None,
                domain=form.domain.data or None,
                since=form.since.data.replace(tzinfo=UTC) if form.since.data else None,
                until=form.until.data.replace(tzinfo=UTC) if form.until.data else None)
        except ValueError:
            form.ip.errors.append(_("Give an IP address, an email domain or a time window."))
        else:
            if form.confirm.data:
                done = moderation.invalidate(criteria, actor=current_user, now=utcnow())
            else:
                preview = moderation.invalidation_preview(criteria)
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("petitions/invalidate.html", petition=petition, form=form,
                           preview=preview, done=done), status


@bp.route("/<int:petition_id>/debate", methods=["GET", "POST"])
@role_required(*MODERATORS)
def debate(petition_id):
    """Moderators: record that the petition was debated, or not, with date and links."""
    petition = db.get_or_404(Petition, petition_id)
    form = forms.DebateOutcomeForm()
    if form.validate_on_submit():
        try:
            outcome = lifecycle.DebateOutcome(
                outcome=lifecycle.DebateState(form.outcome.data), on=form.debated_on.data,
                summary=form.summary.data, transcript_url=form.transcript_url.data or "",
                video_url=form.video_url.data or "")
        except ValueError:  # the form's validators catch these cases first
            form.summary.errors.append(_("Check the outcome, date, summary and links."))
        else:
            try:
                sent = moderation.record_debate_outcome(
                    petition.id, actor=current_user, outcome=outcome, now=utcnow(),
                    petition_link=public_url("petitions.show", petition_id=petition.id))
            except lifecycle.InvalidTransition as exc:
                flash(labels.debate_not_now(exc), "error")
                return redirect(url_for("petitions.show", petition_id=petition.id), code=303)
            flash(ngettext("Debate outcome recorded; %(count)s signer will be emailed.",
                           "Debate outcome recorded; %(count)s signers will be emailed.", sent,
                           count=format_decimal(sent)),
                  "info")
            return redirect(url_for("petitions.show", petition_id=petition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("petitions/debate.html", petition=petition, form=form), status


@bp.get("/officials")
@role_required(*OFFICIALS)
def officials():
    """Officials: petitions awaiting a response, by due date, overdue first."""
    return render_template("petitions/officials.html",
                           rows=moderation.awaiting_response(now=utcnow()))


@bp.route("/<int:petition_id>/respond", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def respond(petition_id):
    """Officials: write, preview and publish the response."""
    petition = db.get_or_404(Petition, petition_id)
    form = forms.ResponseForm()
    if form.validate_on_submit() and form.publish.data:
        try:
            sent = moderation.publish_response(
                petition.id, actor=current_user, summary=form.summary.data,
                details=form.details.data or "", now=utcnow(),
                petition_link=public_url("petitions.show", petition_id=petition.id))
        except lifecycle.InvalidTransition as exc:
            flash(labels.not_now(exc), "error")
            return redirect(url_for("petitions.officials"), code=303)
        except ValueError:
            flash(_("Write a summary of at most 200 characters and details of at most "
                    "6,000 characters."), "error")
            return redirect(url_for("petitions.officials"), code=303)
        flash(ngettext("Response published; %(count)s signer will be emailed.",
                       "Response published; %(count)s signers will be emailed.", sent,
                       count=format_decimal(sent)), "info")
        return redirect(url_for("petitions.show", petition_id=petition.id))
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("petitions/respond.html", petition=petition, form=form,
                           preview=request.method == "POST" and not form.errors), status


@bp.get("/schemes")
@role_required(Role.ADMIN)
def schemes():
    """Admins: petition schemes."""
    return render_template("petitions/schemes.html", schemes=queries.all_schemes())


@bp.route("/schemes/new", methods=["GET", "POST"], defaults={"scheme_id": None})
@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def scheme_form(scheme_id):
    """Admins: create or edit a scheme (open petitions keep their frozen numbers)."""
    scheme = None
    if scheme_id is not None:
        scheme = db.get_or_404(PetitionScheme, scheme_id)
    form = forms.SchemeForm(obj=scheme)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in moderation.SCHEME_FIELDS}
        try:
            moderation.save_scheme(scheme_id, actor=current_user, now=utcnow(), **fields)
        except ValueError:  # FrozenRules; the form's validators catch these cases first
            form.response_threshold.errors.append(
                _("These numbers do not fit together; check the thresholds."))
        else:
            return redirect(url_for("petitions.schemes"))
    status = 400 if form.errors else 200
    return render_template("petitions/scheme_form.html", form=form, scheme=scheme), status
