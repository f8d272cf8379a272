"""Budget forms (Flask-WTF) for officials, proposers and voters; amounts are typed in whole
currency units and stored in minor units. The ballot's choice fields are read and checked
against the ballot rules by pb.ballots (through pb.voting); BallotForm is the one place that
decides whether a request is a ballot of this budget at all."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import ONE_LINE, Form, no_control_characters
from core.process import Audience, Commitment
from pb.ballots import OUTCOME_RULES, VOTE_TYPES
from pb.labels import PROGRESS, RULES
from pb.labels import VOTE_TYPES as VOTE_TYPE_LABELS
from pb.models import ProgressStatus

MAX_UNITS = 10**12
WHOLE = [Optional(), NumberRange(min=0, max=10**6)]


class ProcessForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), *ONE_LINE])
    description = TextAreaField(_l("Description"),
                                validators=[Length(max=5000), no_control_characters])
    area = StringField(_l("Area"), validators=[Length(max=120), *ONE_LINE])
    currency = StringField(_l("Currency (ISO code)"), default="EUR",
                           validators=[DataRequired(), Length(min=3, max=3),
                                       Regexp("^[A-Za-z]{3}$", message=_l(
                                           "Use a currency code like EUR."))])
    budget = IntegerField(_l("Total budget (whole currency units)"),
                          validators=[InputRequired(), NumberRange(min=0, max=MAX_UNITS)])
    commitment = SelectField(_l("Commitment"), choices=[
        SelectChoice(Commitment.BINDING.value, _l("Binding")),
        SelectChoice(Commitment.ADVISORY.value, _l("Advisory"))])
    audience = SelectField(_l("Audience"), choices=[
        SelectChoice(Audience.PUBLIC.value, _l("Public")),
        SelectChoice(Audience.STAFF.value, _l("Staff only"))])
    vote_type = SelectField(_l("Vote type"),
                            choices=[SelectChoice(v, VOTE_TYPE_LABELS[v]) for v in VOTE_TYPES])
    min_projects = IntegerField(_l("Fewest projects on a ballot"), default=0,
                                validators=[InputRequired(), NumberRange(min=0, max=10**6)])
    max_projects = IntegerField(_l("Most projects on a ballot (empty: no limit)"),
                                validators=WHOLE)
    min_share_spent = IntegerField(_l("Knapsack: least share of the budget to spend, in percent"),
                                   default=0, validators=[Optional(), NumberRange(0, 100)])
    points_total = IntegerField(_l("Cumulative: points to distribute"), validators=WHOLE)
    max_points_per_project = IntegerField(_l("Cumulative: most points for one project"),
                                          validators=WHOLE)
    rank_limit = IntegerField(_l("Ranking: how many projects to rank"), validators=WHOLE)
    rule = SelectField(_l("Outcome rule"),
                       choices=[SelectChoice(r, RULES[r]) for r in OUTCOME_RULES])
    proposals_at = DateTimeLocalField(_l("Proposals open (UTC)"), validators=[Optional()])
    review_at = DateTimeLocalField(_l("Review starts (UTC)"), validators=[Optional()])
    voting_at = DateTimeLocalField(_l("Voting opens (UTC)"), validators=[Optional()])
    results_at = DateTimeLocalField(_l("Voting closes (UTC)"), validators=[Optional()])
    implementation_at = DateTimeLocalField(_l("Implementation starts (UTC)"),
                                           validators=[Optional()])


class ProposalForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), *ONE_LINE])
    description = TextAreaField(_l("Description"), validators=[
        DataRequired(), Length(max=5000), no_control_characters])
    estimated_cost = IntegerField(_l("Estimated cost (whole currency units)"),
                                  validators=[InputRequired(), NumberRange(0, MAX_UNITS)])
    location = StringField(_l("Location"), validators=[Length(max=200), *ONE_LINE])
    category = StringField(_l("Category"), validators=[Length(max=80), *ONE_LINE])
    not_a_duplicate = BooleanField(_l("My proposal is different from the similar ones"))


class ReviewForm(Form):
    decision = SelectField(_l("Decision"), choices=[
        SelectChoice("feasible", _l("Feasible: put it on the ballot")),
        SelectChoice("not_feasible", _l("Not feasible")),
        SelectChoice("merge", _l("Duplicate: merge"))])
    cost = IntegerField(_l("Final cost (whole currency units)"),
                        validators=[Optional(), NumberRange(0, MAX_UNITS)])
    reason = TextAreaField(_l("Public reason"), validators=[Length(max=2000)])
    merge_into = IntegerField(_l("Merge into project number"), validators=[Optional()])


class PhaseForm(Form):
    target = StringField(validators=[DataRequired(), Length(max=20)])


class CodesForm(Form):
    count = IntegerField(_l("How many codes"), default=20,
                         validators=[InputRequired(), NumberRange(1, 5000)])


class EligibilityForm(Form):
    emails = TextAreaField(_l("Eligible email addresses, one per line (empty: anyone with an "
                              "account)"), validators=[Length(max=2_000_000)])


class EligibleAreasForm(Form):
    """The areas whose residents may vote; choices (config AREAS) are set by the view."""

    areas = SelectMultipleField(_l("Only residents of these areas may vote (none: every "
                                   "area)"), choices=[], validate_choice=False,
                                widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())


class PaperForm(Form):
    file = FileField(_l("Paper ballots (CSV: sheet, vote, points)"),
                     validators=[FileRequired()])


class ProgressForm(Form):
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, PROGRESS[s])
                                                  for s in ProgressStatus])
    percent = IntegerField(_l("Percent done"), validators=[InputRequired(),
                                                           NumberRange(0, 100)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    on = DateField(_l("Date"), validators=[InputRequired()])


class CodeEntryForm(Form):
    code = StringField(_l("Voter code"), validators=[DataRequired(), Length(max=40)])


class BallotForm(Form):
    """A ballot as the ballot and review pages post it: URL-encoded text fields, the
    ``process`` it belongs to, and the choice fields pb.ballots reads (``project``,
    ``points-<id>``, ``rank-<id>``). Used by both the review and the confirm step.

    ``BallotForm(budget_id, request)``; ``validate()`` refuses a JSON or file body and a ballot
    of another budget (``errors_text`` says why: a 400); ``choice_fields`` are then the
    fields to check against the budget's rules (pb.voting.review / cast).
    """

    budget = HiddenField(name="process")  # `process` itself is a method of every form

    def __init__(self, budget_id: int, request, **kwargs):
        # The body is read as a form only: JSON or uploaded files are never a ballot.
        self._body_refused = bool(request.is_json or request.files)
        super().__init__(formdata=request.form, **kwargs)
        self.budget_id = str(budget_id)
        self.choice_fields = {name: values for name, values in
                              request.form.to_dict(flat=False).items()
                              if name not in ("csrf_token", "process")}

    def validate(self, extra_validators=None) -> bool:
        if self._body_refused:
            self.form_errors.append(_l("Send the ballot as the ballot form does."))
            return False
        return super().validate(extra_validators)

    def validate_budget(self, field):
        if (field.data or self.budget_id) != self.budget_id:
            raise ValidationError(_l("This ballot belongs to another budget."))

    @property
    def errors_text(self) -> str:
        """The reasons validate() refused the request, as one sentence per reason."""
        messages = [*self.form_errors, *(m for field in self for m in field.errors)]
        return " ".join(str(m) for m in messages)
