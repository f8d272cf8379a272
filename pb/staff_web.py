"""Staff pages on the budgets blueprint (officials and admins): create and edit processes,
move phases, review proposals, voter codes, eligibility lists, paper ballots, progress."""
from __future__ import annotations

from datetime import UTC

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.roles import Role
from core.security import role_required
from core.web import money
from pb import forms, labels, phases, results, service, voting
from pb.ballots import RulesError
from pb.blueprint import bp, visible_process
from pb.models import Phase, ProjectStatus, RulesFrozen
from pb.money import scale

OFFICIALS = (Role.OFFICIAL, Role.ADMIN)
FIELDS = ("title", "description", "area", "commitment", "audience", "vote_type",
          "min_projects", "max_projects", "min_share_spent", "points_total",
          "max_points_per_project", "rank_limit", "rule")
DATES = service.DATE_FIELDS


def _form_values(form) -> dict:
    currency = form.currency.data.upper()
    values = {f: getattr(form, f).data for f in FIELDS}
    values.update(currency=currency, budget=form.budget.data * scale(currency),
                  min_share_spent=form.min_share_spent.data or 0,
                  min_projects=form.min_projects.data or 0)
    values.update({f: getattr(form, f).data.replace(tzinfo=UTC)
                   if getattr(form, f).data else None for f in DATES})
    return values


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:process_id>/edit", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def edit(process_id=None):
    """Officials: create or edit a process (rules refused once voting opened)."""
    process = visible_process(process_id, published=False) if process_id else None
    form = forms.ProcessForm(obj=process)
    if process is not None and request.method == "GET":
        form.budget.data = process.budget // scale(process.currency)
    if form.validate_on_submit():
        try:
            process = service.save_process(process_id, actor=current_user, now=utcnow(),
                                           **_form_values(form))
        except RulesFrozen:
            form.budget.errors.append(_("The budget and ballot rules are frozen since "
                                        "voting opened."))
        except RulesError as exc:
            getattr(form, exc.field, form.vote_type).errors.append(
                _("These ballot rules contradict each other."))
        except service.ScheduleError as exc:
            for field in exc.fields:
                getattr(form, f"{field}_at").errors.append(
                    _("Each phase must start after the previous one."))
        except ValueError:
            form.currency.errors.append(_("Use a currency code like EUR."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("pb.manage", process_id=process.id))
    return render_template("pb/edit.html", form=form, process=process), \
        (422 if form.errors else 200)


@bp.get("/<int:process_id>/manage")
@role_required(*OFFICIALS)
def manage(process_id):
    """Officials: phases, proposals to review, codes, eligibility, paper ballots, progress."""
    process = visible_process(process_id, published=False)
    return render_template(
        "pb/manage.html", process=process, now=utcnow(), ProjectStatus=ProjectStatus,
        review_form=lambda pk: forms.ReviewForm(prefix=f"p{pk}"),
        progress_form=lambda pk: forms.ProgressForm(prefix=f"p{pk}"),
        codes_form=forms.CodesForm(), eligibility_form=forms.EligibilityForm(),
        areas_form=areas_form(process),
        paper_form=forms.PaperForm(), phase_form=forms.PhaseForm(),
        targets=sorted(phases.TRANSITIONS[process.phase], key=phases.ORDER.index),
        ballots=voting.ballot_count(process.id))


def _back(process_id):
    return redirect(url_for("pb.manage", process_id=process_id))


@bp.post("/<int:process_id>/phase")
@role_required(*OFFICIALS)
def move_phase(process_id):
    """Officials: move the process to the next phase now; closing the vote (moving to
    results) computes and publishes the results at once, as `flask budgets tick` does."""
    form = forms.PhaseForm()
    if not form.validate_on_submit() or form.target.data not in set(Phase):
        abort(400)
    visible_process(process_id, published=False)
    now = utcnow()
    try:
        service.move(process_id, Phase(form.target.data), actor=current_user, now=now)
    except phases.InvalidTransition:
        abort(409, _("This phase cannot follow the current one."))
    if Phase(form.target.data) is Phase.RESULTS:
        results.compute(process_id, now=now, actor=current_user)
    return _back(process_id)


@bp.post("/<int:process_id>/proposals/<int:project_pk>/review")
@role_required(*OFFICIALS)
def review(process_id, project_pk):
    """Officials: feasible (final cost) / not feasible (public reason) / merge."""
    process = visible_process(process_id, published=False)
    form = forms.ReviewForm(prefix=f"p{project_pk}")
    if not form.validate_on_submit():
        abort(400)
    decision = form.decision.data
    merge_into = None
    if decision == "merge":
        target = next((p for p in process.projects
                       if p.project_id == str(form.merge_into.data)), None)
        if target is None:
            abort(400, _("There is no project with that number."))
        merge_into = target.id
    cost = None if form.cost.data is None else form.cost.data * scale(process.currency)
    try:
        service.review_proposal(process_id, project_pk, actor=current_user, now=utcnow(),
                                feasible=decision == "feasible", cost=cost,
                                reason=form.reason.data or "", merge_into=merge_into)
    except (service.NotFound, LookupError):
        abort(404)
    except RulesFrozen:
        abort(409, _("The ballot is frozen since voting opened."))
    except ValueError:
        abort(400, _("A feasible project needs its final cost; a project that is not "
                     "feasible needs a public reason."))
    return _back(process_id)


@bp.post("/<int:process_id>/codes")
@role_required(*OFFICIALS)
def codes(process_id):
    """Officials: generate single-use voter codes and show them for printing."""
    process = visible_process(process_id, published=False)
    form = forms.CodesForm()
    if not form.validate_on_submit():
        abort(400)
    new = voting.generate_codes(process.id, form.count.data, actor=current_user, now=utcnow())
    return render_template("pb/codes.html", process=process, codes=new)


@bp.post("/<int:process_id>/eligibility")
@role_required(*OFFICIALS)
def eligibility(process_id):
    """Officials: replace the list of eligible email addresses."""
    visible_process(process_id, published=False)
    form = forms.EligibilityForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = voting.set_eligible_emails(process_id, form.emails.data or "",
                                           actor=current_user, now=utcnow())
    except ValueError as exc:
        abort(400, _("These are not email addresses: %(bad)s", bad=str(exc)))
    flash(ngettext("%(count)s eligible address.", "%(count)s eligible addresses.", count,
                   count=format_decimal(count)),
          "success")
    return _back(process_id)


def _areas() -> list[str]:
    """The city's areas (config AREAS), which residents name on their account page."""
    return list(current_app.config.get("AREAS") or ())


def areas_form(process=None) -> forms.EligibleAreasForm:
    """The areas form: showing `process`'s areas, or (no process) as posted."""
    shown = {"formdata": None, "data": {"areas": process.eligible_areas}} if process else {}
    form = forms.EligibleAreasForm(prefix="areas", **shown)
    form.areas.choices = [(a, a) for a in _areas()]
    return form


@bp.post("/<int:process_id>/eligibility/areas")
@role_required(*OFFICIALS)
def eligible_areas(process_id):
    """Officials: limit voting to residents of some of the city's areas."""
    visible_process(process_id, published=False)
    form = areas_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = voting.set_eligible_areas(process_id, form.areas.data or [],
                                          allowed=_areas(), actor=current_user, now=utcnow())
    except ValueError as exc:
        abort(400, _("These are not areas of the city: %(bad)s", bad=str(exc)))
    flash(ngettext("Voting is limited to %(num)d area.", "Voting is limited to %(num)d "
                   "areas.", count) if count else _("Residents of every area may vote."),
          "success")
    return _back(process_id)


@bp.post("/<int:process_id>/paper")
@role_required(*OFFICIALS)
def paper(process_id):
    """Officials: upload paper ballots as CSV; all or nothing, errors by line."""
    process = visible_process(process_id, published=False)
    form = forms.PaperForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        text = form.file.data.read().decode("utf-8-sig")
        count = voting.import_paper(process.id, text, actor=current_user, now=utcnow())
    except UnicodeDecodeError:
        abort(400, _("The file must be UTF-8 text."))
    except voting.VotingClosed:
        abort(409, _("Paper ballots are accepted during voting and before results."))
    except voting.PaperErrors as exc:
        def amount(minor: int) -> str:
            return money(minor, process.currency)

        errors = [(line, e if isinstance(e, str) else labels.problem_text(e, amount))
                  for line, e in exc.errors]
        return render_template("pb/paper_errors.html", process=process, errors=errors), 422
    flash(ngettext("%(count)s paper ballot added.", "%(count)s paper ballots added.",
                   count, count=format_decimal(count)),
          "success")
    return _back(process_id)


@bp.post("/<int:process_id>/projects/<int:project_pk>/progress")
@role_required(*OFFICIALS)
def progress(process_id, project_pk):
    """Officials: post implementation progress of a funded project."""
    visible_process(process_id, published=False)
    form = forms.ProgressForm(prefix=f"p{project_pk}")
    if not form.validate_on_submit():
        abort(400)
    try:
        service.post_progress(process_id, project_pk, actor=current_user, now=utcnow(),
                              status=form.status.data, percent=form.percent.data,
                              note=form.note.data or "", on=form.on.data)
    except service.NotFound:
        abort(404)
    except phases.InvalidTransition:
        abort(409, _("Progress is posted after the results."))
    return _back(process_id)
