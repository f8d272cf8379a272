"""Budgets web pages: processes, ballots with review and receipt, results, proposals, the
pabulib/JSON exports. Staff pages are in pb/staff_web.py on the same blueprint."""
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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from core.db import utcnow
from core.extensions import limiter
from core.web import VisibilityCheck, money
from pb import labels, phases, report, results, service, voting
from pb.ballots import decode
from pb.blueprint import bp, may_view, reader, visible_process
from pb.exchange import as_json, export_text
from pb.forms import BallotForm, CodeEntryForm, ProposalForm
from pb.models import BudgetProcess, Phase, ProjectStatus
from pb.money import scale


def _ballot_rate() -> str:
    return current_app.config.get("BUDGETS_BALLOT_RATE", "30 per minute")


# docs/reliability.md §2d: ballot submit/modify 30/min (per address here, shared by both steps)
ballot_limit = limiter.shared_limit(_ballot_rate, scope="budgets-ballot", methods=["POST"])


@bp.context_processor
def _labels():
    return {"labels": labels, "Phase": Phase, "phases": phases, "ProjectStatus": ProjectStatus}


def _codes() -> dict:
    return session.get("pb_codes", {})


def _voter_key(process: BudgetProcess) -> str | None:
    code = _codes().get(str(process.id))
    if code:
        return None  # a code votes once; there is no earlier ballot to show
    return f"u{current_user.id}" if current_user.is_authenticated else None


@bp.get("/")
def index():
    """Budgets you may see, with their phase."""
    processes = [p for p in BudgetProcess.listed() if p.visible_to(reader())]
    return render_template("pb/index.html", processes=processes)


@bp.get("/<int:process_id>")
def show(process_id):
    """One budget: phase and what comes next, rules, projects."""
    process = visible_process(process_id)
    return render_template("pb/show.html", process=process, now=utcnow())


@bp.get("/<int:process_id>.json")
def show_json(process_id):
    """The process in machine-readable form (no personal data)."""
    return jsonify(as_json(visible_process(process_id)))


@bp.get("/<int:process_id>/export.pb")
def export_pb(process_id):
    """The process and its ballots as a pabulib file (numbered voters, no personal data)."""
    process = visible_process(process_id)
    if process.phase not in phases.AFTER_VOTING:
        abort(404)  # ballots stay sealed while voting runs
    return Response(export_text(process), mimetype="text/plain; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=budget-{process.id}.pb"})


def _ballot_page(process, *, fields=None, problems=(), status=200, code_error=None):
    if fields is None:
        previous = voting.current_choice(process.id, _voter_key(process) or "")
        fields = _fields_of(process, previous)
    messages = [labels.problem_text(p, lambda v: money(v, process.currency))
                for p in problems]
    code = _codes().get(str(process.id))
    return render_template(
        "pb/ballot.html", process=process, fields=fields, problems=messages,
        code=code, code_form=CodeEntryForm(), now=utcnow(), code_error=code_error,
        unconfirmed=not code and voting.needs_confirmation(reader()),
        open=voting.voting_open(process, utcnow()), scale=scale(process.currency),
        categories=sorted({p.category for p in process.ballot_projects if p.category}),
    ), status


def _fields_of(process, ballot) -> dict:
    """Form fields that show a stored ballot again."""
    if ballot is None:
        return {}
    choice = decode(ballot.vote, ballot.points)
    if process.vote_type == "cumulative":
        return {f"points-{p}": [str(n)] for p, n in zip(choice.projects, choice.points or (),
                                                         strict=False)}
    if process.vote_type == "ordinal":
        return {f"rank-{p}": [str(k)] for k, p in enumerate(choice.projects, 1)}
    return {"project": list(choice.projects)}


@bp.get("/<int:process_id>/ballot")
def ballot(process_id):
    """The ballot: project cards, category filter, budget bar or points counter."""
    return _ballot_page(visible_process(process_id))


def _submitted(process_id: int) -> dict:
    """The ballot's choice fields, once BallotForm accepts the request (else 400); voting
    needs an account or a voter code (else 401)."""
    form = BallotForm(process_id, request)
    if not form.validate():
        abort(400, form.errors_text)
    if not (current_user.is_authenticated or _codes().get(str(process_id))):
        abort(401)
    return form.choice_fields


@bp.post("/<int:process_id>/ballot")
@ballot_limit
def review_ballot(process_id):
    """Check the ballot on the server and show it for confirmation (nothing stored yet)."""
    process = visible_process(process_id)
    fields = _submitted(process.id)
    if not _codes().get(str(process.id)) and voting.needs_confirmation(reader()):
        return _ballot_page(process, fields=fields, status=403)  # says why, offers the email
    try:
        choice = voting.review(process, fields, now=utcnow())
    except voting.VotingClosed:
        return _closed(process)
    except voting.InvalidBallot as exc:
        return _ballot_page(process, fields=fields, problems=exc.problems, status=422)
    by_id = {p.project_id: p for p in process.ballot_projects}
    return render_template("pb/review.html", process=process, fields=fields,
                           chosen=[(by_id[p], choice.points[k] if choice.points else None)
                                   for k, p in enumerate(choice.projects)])


def _area_refusal(process) -> str:
    return _("This budget is for residents of %(areas)s. Your account says you live in "
             "%(area)s; you can change that on your account page.",
             areas=", ".join(process.eligible_areas),
             area=current_user.area or _("no area"))


def _closed(process):
    return render_template("pb/message.html", process=process, now=utcnow(),
                           message=_("Voting is not open for this budget."),
                           status=409), 409


def _forget_code(process_id: int) -> None:
    """The voter code of this budget, used (or refused as used), leaves the session."""
    session["pb_codes"] = {k: v for k, v in _codes().items() if k != str(process_id)}


@bp.post("/<int:process_id>/ballot/confirm")
@ballot_limit
def confirm_ballot(process_id):
    """Store the ballot (replacing your earlier one) and show its receipt."""
    try:
        fields = _submitted(process_id)
    except HTTPException:
        visible_process(process_id)  # a process the reader may not see: 404, not 400/401
        raise
    code = _codes().get(str(process_id))
    check = VisibilityCheck(lambda process: may_view(process, reader()))
    try:
        receipt = voting.cast(process_id, fields, now=utcnow(), user=reader(), code=code,
                              may_view=check)
    except voting.NotFound:
        abort(404)
    except voting.VotingClosed:
        return _closed(check.seen)
    except voting.InvalidBallot as exc:
        return _ballot_page(check.seen, fields=fields, problems=exc.problems, status=422)
    except voting.NotEligible as exc:
        if exc.reason == "unconfirmed":  # nothing stored; the page says why
            return _ballot_page(check.seen, fields=fields, status=403)
        if exc.reason == "area":
            return _message(check.seen, _area_refusal(check.seen), 403)
        abort(403, _("You are not on the list of voters of this budget."))
    except voting.CodeUnusable:
        _forget_code(process_id)
        abort(409, _("This voter code has already been used."))
    if code:
        _forget_code(process_id)
    return redirect(url_for("pb.receipt", code=receipt, new=1))


@bp.post("/<int:process_id>/code")
@ballot_limit
def enter_code(process_id):
    """Vote with a printed single-use voter code (in-person voting)."""
    process = visible_process(process_id)
    form = CodeEntryForm()
    code = voting.normalise_code(form.code.data or "") if form.validate_on_submit() else ""
    if not voting.code_usable(process.id, code):  # the ballot page again, error on the field
        return _ballot_page(process, status=422,
                            code_error=_("This voter code is unknown or already used."))
    session["pb_codes"] = {**_codes(), str(process.id): code}
    return redirect(url_for("pb.ballot", process_id=process.id))


@bp.get("/receipt")
@bp.get("/receipt/<code>")
def receipt(code=None):
    """Look up a ballot by its verification code: stored, and counted in the results?"""
    code = code or request.args.get("code", "")
    found = voting.lookup_receipt(code) if code else None
    if found is not None and not found[1].visible_to(reader()):
        found = None
    return render_template("pb/receipt.html", code=code, found=found,
                           new=bool(request.args.get("new"))), (404 if code and not found
                                                                 else 200)


@bp.get("/<int:process_id>/results")
def results_page(process_id):
    """Funded projects, the comparison with greedy, MES prices and the EJR check."""
    process = visible_process(process_id)
    result = results.stored(process.id) if process.phase in phases.AFTER_VOTING else None
    view = report.results_view(process, result) if result else None
    if view:
        view["chart"]["labels"] = {
            "rule": str(labels.RULES[result.rule]), "greedy": _("Greedy"),
            "covered": _("Voters with at least one supported project funded"),
            "differ": _("Projects funded by only one of the two rules (votes)"),
            "prices": _("Price per supporter at which each project was bought")}
    return render_template("pb/results.html", process=process, result=result, view=view,
                           now=utcnow())


@bp.route("/<int:process_id>/proposals/new", methods=["GET", "POST"])
def propose(process_id):
    """Citizens propose a project, warned about similar proposals first."""
    process = visible_process(process_id)
    if not current_user.is_authenticated:
        abort(401)
    form = ProposalForm()
    similar = []
    if form.validate_on_submit():
        similar = service.similar_proposals(process, f"{form.title.data}\n"
                                                     f"{form.description.data}")
        if not similar or form.not_a_duplicate.data:
            try:
                service.submit_proposal(
                    process.id, author=current_user, now=utcnow(), title=form.title.data,
                    description=form.description.data,
                    estimated_cost=form.estimated_cost.data * scale(process.currency),
                    location=form.location.data or "", category=form.category.data or "")
            except phases.InvalidTransition:
                return _message(process, _("Proposals are not open for this budget."), 409)
            flash(_("Thank you: your proposal will be reviewed."), "success")
            return redirect(url_for("pb.show", process_id=process.id))
    status = 422 if form.errors else 200
    return render_template("pb/propose.html", process=process, form=form,
                           similar=similar), status


def _message(process, message, status):
    return render_template("pb/message.html", process=process, message=message,
                           now=utcnow()), status


# Register on bp the staff pages (pb/staff_web.py).
