"""Petitions public pages and open-data exports (staff pages: staff_web.py; commands: cli.py)."""
from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from core.db import db, utcnow
from core.extensions import limiter
from core.roles import Role
from core.security import public_url, role_required
from core.web import VisibilityCheck
from petitions import areas, export, forms, labels, lifecycle, queries, service
from petitions.blueprint import bp
from petitions.identity import SigningLimits
from petitions.models import Petition


def _user():
    """The signed-in user (the object itself, not Flask-Login's proxy), else None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.context_processor
def _labels():
    """Templates show stored codes (rejection reasons, signature states) through `labels`
    and compare enums, never string literals."""
    return {"labels": labels, "PetitionState": lifecycle.PetitionState,
            "Action": lifecycle.Action}


def _visible_petition(petition_id: int) -> Petition:
    petition = db.get_or_404(Petition, petition_id)
    if not queries.can_view(petition, _user()):
        abort(404)
    return petition


def _signing_limits() -> SigningLimits | None:
    setting = current_app.config.get("PETITIONS_SIGNING_LIMITS", {})
    return None if setting is False else SigningLimits(**setting)


def _sign_rate() -> str:
    """Flask-Limiter's per-IP cap on sign POSTs, on top of the DB-counted fraud rules."""
    return current_app.config.get("PETITIONS_SIGN_RATE", "30 per minute")


# One budget per IP for both ways of signing (public page and sponsor link).
sign_limit = limiter.shared_limit(_sign_rate, scope="petitions-sign", methods=["POST"])


MAX_PAGE = 2**31 - 1  # its offset fits every database's integers (PostgreSQL: BIGINT)


@bp.get("/")
def index():
    """Public list with status filters, search and sorting."""
    now = utcnow()
    status = request.args.get("status", "all")
    sort = request.args.get("sort", "signatures")
    page = request.args.get("page", 1, type=int) or 1
    if status not in queries.STATUSES or sort not in queries.SORTS or not 1 <= page <= MAX_PAGE:
        abort(400)
    petitions, total = queries.public_petitions(now=now, status=status, sort=sort,
                                                q=request.args.get("q", "")[:200],
                                                user=_user(), offset=(page - 1) * 50)
    return render_template("petitions/index.html", petitions=petitions, total=total,
                           status=status, sort=sort, q=request.args.get("q", ""), page=page,
                           statuses=queries.STATUSES, sorts=queries.SORTS,
                           views={p.id: queries.petition_view(p, now=now, user=_user())
                                  for p in petitions})


@bp.get("/export.json")
def export_json():
    """All listed petitions as JSON, `{"petitions": [...]}` by id (no personal data).

    Streamed: every petition is in it however many there are, with no page to follow."""
    return Response(export.all_petitions_json(current_app._get_current_object(), now=utcnow(),
                                              batch=_export_batch()),
                    mimetype="application/json")


@bp.get("/export.csv")
def export_csv():
    """All listed petitions as CSV by id, streamed like export.json (no personal data;
    formula cells neutralised)."""
    return _csv_response(export.all_petitions_csv(current_app._get_current_object(),
                                                  now=utcnow(), batch=_export_batch()),
                         "petitions.csv")


def _export_batch() -> int:
    return current_app.config.get("PETITIONS_EXPORT_BATCH", 1000)


def _csv_response(lines, filename):
    return Response(lines, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/<int:petition_id>.json")
def petition_json(petition_id):
    """One petition's public record with signatures by area."""
    petition = _visible_petition(petition_id)
    return jsonify(queries.public_record(petition, now=utcnow(), with_areas=True))


@bp.get("/<int:petition_id>.csv")
def petition_csv(petition_id):
    """One petition as CSV, then signatures by area."""
    petition = _visible_petition(petition_id)
    return _csv_response(export.petition_csv(petition, now=utcnow()),
                         f"petition-{petition.id}.csv")


@bp.get("/<int:petition_id>")
def show(petition_id):
    """A petition: progress to each threshold, days left, due date, response, share link."""
    petition = _visible_petition(petition_id)
    return _show_page(petition, _sign_form())


def _sign_form():
    """One click for a confirmed user, else name and email (confirmed by a link)."""
    user = _user()
    return forms.OneClickSignForm() if user and user.is_confirmed else forms.SignForm()


def _show_page(petition: Petition, form):
    """The petition page (`show`, and `sign` again with the form's errors)."""
    return render_template("petitions/show.html", petition=petition,
                           view=queries.petition_view(petition, now=utcnow(), user=_user()),
                           form=form, one_click=isinstance(form, forms.OneClickSignForm),
                           areas=areas.counts(petition.id), action_form=forms.ActionForm())


def _sign(petition_id: int, form, *, sponsor_token=None, may_view=None):
    """Sign with the form's data; the answer page, or None when the form gets an error."""
    user = _user()
    one_click = isinstance(form, forms.OneClickSignForm)
    try:
        outcome = service.sign(
            petition_id, name=user.display_name if one_click else form.name.data,
            email=user.email if one_click else form.email.data, area=form.area.data,
            ip=request.remote_addr, notify=form.notify.data, now=utcnow(), user=user,
            sponsor_token=sponsor_token, limits=_signing_limits(),
            confirmations_per_hour=current_app.config.get("PETITIONS_CONFIRMATIONS_PER_HOUR",
                                                          service.CONFIRMATIONS_PER_HOUR),
            confirm_link=lambda token: public_url("petitions.confirm", token=token),
            may_view=may_view)
    except service.NotFound:
        abort(404)
    except service.SigningClosed as exc:
        return render_template("petitions/message.html", petition=service.get_petition(
            petition_id), message=str(exc)), 409
    except service.InvalidSignature as exc:
        field = getattr(form, exc.field, None) or form.area
        field.errors = [*field.errors, str(exc)]
        return None
    if not one_click and outcome == service.SignOutcome.ALREADY_SIGNED:
        # Anyone can type any address here: answer as for a new signature, so the form does
        # not reveal who has signed (the address's owner is not counted twice either way).
        outcome = service.SignOutcome.CONFIRMATION_SENT
    # The petition as `service.sign` read it under the lock (not queried again).
    petition = may_view.seen if may_view is not None else service.get_petition(petition_id)
    return render_template("petitions/message.html", petition=petition,
                           message=str(_SIGNED[outcome]))  # str: escaped in the page


# Translated when the page shows one (lazily: not all three for every signature).
_SIGNED = {
    service.SignOutcome.CONFIRMATION_SENT: _l("Check your email: click the link we sent to "
                                              "confirm your signature."),
    service.SignOutcome.COUNTED: _l("Thank you. Your signature has been counted."),
    service.SignOutcome.ALREADY_SIGNED: _l("You have already signed this petition."),
}


@bp.post("/<int:petition_id>/sign")
@sign_limit
def sign(petition_id):
    """Sign: confirmed users in one click, others through an emailed confirmation link.

    The petition is loaded once, under the signing lock, and checked there as
    `_visible_petition` would (a petition the signer may not see: 404)."""
    form = _sign_form()
    if form.validate_on_submit():
        result = _sign(petition_id, form, may_view=VisibilityCheck(
            lambda petition: queries.can_view(petition, _user())))
        if result is not None:
            return result
    return _show_page(_visible_petition(petition_id), form), 400


@bp.route("/<int:petition_id>/sponsor/<token>", methods=["GET", "POST"])
@sign_limit
def sponsor(petition_id, token):
    """The creator's sponsor link: sign while the petition gathers sponsors."""
    petition = db.get_or_404(Petition, petition_id)
    if petition.sponsor_token != token:
        abort(404)
    form = forms.SignForm()
    if form.validate_on_submit():
        result = _sign(petition.id, form, sponsor_token=token)
        if result is not None:
            return result
    return render_template("petitions/sponsor.html", petition=petition, form=form,
                           token=token), 400 if request.method == "POST" else 200


def _link_not_valid(petition: Petition | None):
    return render_template("petitions/message.html", petition=petition, message=_(
        "This link is not valid or has already been used.")), 404


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """Confirmation link: GET shows a button, POST counts the signature (GET changes nothing).

    Both pages name the petition's scheme and its commitment, like every page of a petition."""
    petition = queries.petition_to_confirm(token)
    if petition is None:
        return _link_not_valid(None)
    form = forms.ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.confirm_signature(token, now=utcnow())
        except service.NotFound:  # used in the meantime (a second click)
            return _link_not_valid(petition)
        except service.SigningClosed as exc:
            return render_template("petitions/message.html", petition=petition,
                                   message=str(exc)), 410
        return render_template("petitions/message.html", petition=petition,
                               message=_("Thank you. Your signature has been confirmed."))
    return render_template("petitions/confirm.html", form=form, token=token, petition=petition)


def _saving_draft() -> bool:
    """The new-petition form posted with "Save draft" (any other post only checks)."""
    return request.method == "POST" and "create" in request.form


def _looking_for_similar() -> bool:
    """similar.json, or the new-petition form posted to check for similar petitions."""
    return request.endpoint == "petitions.similar_json" or (
        request.method == "POST" and not _saving_draft())


def _similar_rate() -> str:
    """Per-IP cap on similarity look-ups: anyone may ask and each one costs CPU."""
    return current_app.config.get("PETITIONS_SIMILAR_RATE", "60 per minute")


# One budget per IP for similar.json (typing in the form) and the form's check button.
similar_limit = limiter.shared_limit(_similar_rate, scope="petitions-similar",
                                     exempt_when=lambda: not _looking_for_similar())

# Counts saved drafts only: checking for similar petitions, or a form sent back with an
# error, must not use up a citizen's petitions.
create_limit = limiter.limit(
    lambda: current_app.config.get("PETITIONS_CREATE_RATE", "2 per 5 minutes"),
    methods=["POST"], exempt_when=lambda: not _saving_draft(),
    deduct_when=lambda response: response.status_code == 302)


def _similar_to(text: str) -> list[tuple[Petition, float]]:
    """Listed petitions the current user may see that resemble `text`; the fitted index is
    kept per app (so per database) until the listed petitions change."""
    cache = current_app.extensions.setdefault("petitions.similarity", {})
    return queries.duplicate_suggestions(text, user=_user(), cache=cache)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.CITIZEN)
@create_limit
@similar_limit
def new():
    """Start a petition: check for similar ones first, then save a draft."""
    form = forms.PetitionForm()
    schemes = queries.schemes_visible_to(current_user)
    form.scheme_id.choices = [SelectChoice(s.id, s.title) for s in schemes]
    similar = []
    if form.validate_on_submit():
        if form.create.data:
            petition = service.create_petition(
                scheme_id=form.scheme_id.data, creator=current_user, title=form.title.data,
                action=form.action.data, background=form.background.data or "", now=utcnow())
            return redirect(url_for("petitions.show", petition_id=petition.id))
        similar = _similar_to(f"{form.title.data} {form.action.data}")
    return render_template("petitions/new.html", form=form, similar=similar, schemes=schemes), \
        (400 if form.errors else 200)


@bp.get("/similar.json")
@similar_limit
def similar_json():
    """Near-duplicate suggestions for the creation form's script."""
    text = request.args.get("q", "")[:1000]
    return jsonify([{"id": p.id, "title": p.title, "score": score,
                     "url": url_for("petitions.show", petition_id=p.id)}
                    for p, score in _similar_to(text)])


@bp.post("/<int:petition_id>/submit")
@role_required(Role.CITIZEN)
def submit(petition_id):
    """Creator: draft → sponsoring (needs a confirmed email)."""
    petition = db.get_or_404(Petition, petition_id)
    if petition.creator_id != current_user.id:
        abort(404)
    try:
        service.start_sponsoring(petition_id, creator=current_user, now=utcnow())
    except lifecycle.InvalidTransition as exc:
        flash(labels.not_now(exc), "error")
        return redirect(url_for("petitions.show", petition_id=petition_id), code=303)
    except service.SigningClosed as exc:
        flash(str(exc), "error")
        return redirect(url_for("petitions.show", petition_id=petition_id), code=303)
    return redirect(url_for("petitions.show", petition_id=petition_id))
