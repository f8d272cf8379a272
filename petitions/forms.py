"""Petition forms (Flask-WTF): field whitelists, lengths and bad-input rules (reliability §2b)."""
from __future__ import annotations

import ipaddress
import re
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from core.db import utcnow
from core.forms import Form, no_control_characters, single_line
from core.identity import fold_invisible
from core.process import Audience
from petitions.labels import COMMITMENTS_EXPLAINED, REJECTION_REASONS
from petitions.lifecycle import (
    DEBATE_SUMMARY_MAX,
    MAX_DAYS,
    URL_MAX,
    DebateState,
    RejectionReason,
    is_web_url,
)

FORMULA_START = ("=", "+", "-", "@")

def visible_email(value):
    """Full-width letters folded (NFKC) and zero-width characters removed before validation."""
    if not isinstance(value, str):
        return value
    return fold_invisible(value)


def plain_name(form, field):
    """Names cannot hold links or start like a spreadsheet formula (EP `Signature` rules)."""
    value = (field.data or "").strip()
    if value.startswith(FORMULA_START) or re.search(r"https?://|www\.", value, re.I):
        raise ValidationError(_l("Enter your name without links or leading symbols."))


class PetitionForm(Form):
    scheme_id = SelectField(_l("Where to send it"), coerce=int, validators=[InputRequired()])
    title = StringField(_l("What do you want us to do?"),
                        validators=[DataRequired(), Length(max=80), no_control_characters,
                                    single_line])
    action = TextAreaField(_l("What action do you want taken?"), render_kw={"rows": 4},
                           validators=[DataRequired(), Length(max=500), no_control_characters])
    background = TextAreaField(_l("Why do you want it? (background)"), render_kw={"rows": 6},
                               validators=[Optional(), Length(max=1000), no_control_characters])
    check = SubmitField(_l("Check for similar petitions"))
    create = SubmitField(_l("Save draft"))


class _SignerChoices(Form):
    """What every signer states, whether signing by email or with an account."""

    area = StringField(_l("Area"), validators=[Optional(), Length(max=80),
                                               no_control_characters, single_line])
    eligible = BooleanField(_l("I am eligible to sign this petition"),
                            validators=[DataRequired(_l("You must confirm you are eligible."))])
    notify = BooleanField(_l("Email me when there is a response"))


class SignForm(_SignerChoices):
    name = StringField(_l("Your name"), render_kw={"autocomplete": "name"}, validators=[
        DataRequired(), Length(max=255), no_control_characters, single_line, plain_name])
    email = EmailField(_l("Email"), filters=[visible_email], render_kw={"autocomplete": "email"},
                       validators=[DataRequired(), Length(max=320), no_control_characters,
                                   single_line, Email(check_deliverability=False)])
    submit = SubmitField(_l("Sign this petition"))


class OneClickSignForm(_SignerChoices):
    submit = SubmitField(_l("Sign with my account"))


class ConfirmForm(Form):
    submit = SubmitField(_l("Confirm my signature"))


class ActionForm(Form):
    """A bare POST button (CSRF-protected) for submit and approve."""

    submit = SubmitField(_l("Continue"))


class RejectForm(Form):
    reason = SelectField(_l("Reason"), choices=[SelectChoice(r.value, REJECTION_REASONS[r])
                                                for r in RejectionReason])
    details = TextAreaField(_l("Details for the creator"),
                            validators=[Optional(), Length(max=4000), no_control_characters])
    submit = SubmitField(_l("Reject"))


class ResponseForm(Form):
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3},
                            validators=[DataRequired(), Length(max=200), no_control_characters])
    details = TextAreaField(_l("Full response"), render_kw={"rows": 12},
                            validators=[Optional(), Length(max=6000), no_control_characters])
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Publish and email signers"))


def web_url(form, field):
    """Only absolute http:// or https:// links (never javascript:, data: or file:)."""
    if field.data and not is_web_url(field.data.strip()):
        raise ValidationError(_l("Enter a link starting with http:// or https://."))


# A debate date is a real one: not before this, and at most a year from today.
DEBATE_EARLIEST = date(1900, 1, 1)
DEBATE_LATEST_AHEAD = timedelta(days=366)


def plausible_debate_date(form, field):
    latest = utcnow().date() + DEBATE_LATEST_AHEAD
    if isinstance(field.data, date) and not DEBATE_EARLIEST <= field.data <= latest:
        raise ValidationError(_l("Enter a date from %(start)s to %(end)s.",
                                 start=DEBATE_EARLIEST.isoformat(), end=latest.isoformat()))


class DebateOutcomeForm(Form):
    outcome = RadioField(_l("Outcome"), choices=[
        SelectChoice(DebateState.DEBATED.value, _l("Debated")),
        SelectChoice(DebateState.NOT_DEBATED.value, _l("Not debated"))],
        validators=[InputRequired()])
    debated_on = DateField(_l("Date of the debate or decision"), validators=[
        InputRequired(), plausible_debate_date])
    summary = TextAreaField(_l("Short summary"), render_kw={"rows": 4}, validators=[
        DataRequired(), Length(max=DEBATE_SUMMARY_MAX), no_control_characters])
    transcript_url = URLField(_l("Transcript link (optional)"), filters=[
        lambda v: v.strip() if isinstance(v, str) else v], validators=[
        Optional(), Length(max=URL_MAX), web_url])
    video_url = URLField(_l("Video link (optional)"), filters=[
        lambda v: v.strip() if isinstance(v, str) else v], validators=[
        Optional(), Length(max=URL_MAX), web_url])
    submit = SubmitField(_l("Record the debate outcome"))


def ip_or_network(form, field):
    """An IP address (203.0.113.7, 2001:db8::1) or a network in CIDR form (203.0.113.0/24)."""
    if not field.data:
        return
    try:
        ipaddress.ip_network(field.data.strip(), strict=False)
    except ValueError:
        raise ValidationError(_l("Enter an IP address such as 203.0.113.7, or a network "
                                 "such as 203.0.113.0/24.")) from None


class InvalidationForm(Form):
    ip = StringField(_l("IP address or network"),
                     validators=[Optional(), Length(max=64), no_control_characters,
                                 single_line, ip_or_network])
    domain = StringField(_l("Email domain"), validators=[Optional(), Length(max=255),
                                                         no_control_characters, single_line])
    since = DateTimeLocalField(_l("From (UTC)"), validators=[Optional()])
    until = DateTimeLocalField(_l("Until (UTC)"), validators=[Optional()])
    preview = SubmitField(_l("Preview count"))
    confirm = SubmitField(_l("Invalidate these signatures"))


def _count(label, minimum=0):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=minimum,
                                                                        max=100_000_000)])


def _days(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(
        min=1, max=MAX_DAYS)])


class SchemeForm(Form):
    title = StringField(_l("Name"), validators=[DataRequired(), Length(max=200),
                                                no_control_characters, single_line])
    authority = StringField(_l("Authority that answers"),
                            validators=[DataRequired(), Length(max=200), no_control_characters])
    description = TextAreaField(_l("Description"), render_kw={"rows": 4},
                                validators=[Optional(), Length(max=5000), no_control_characters])
    commitment = SelectField(_l("Commitment"), choices=[
        SelectChoice(c.value, text) for c, text in COMMITMENTS_EXPLAINED.items()])
    audience = SelectField(_l("Audience"), choices=[
        SelectChoice(Audience.PUBLIC.value, _l("Public")),
        SelectChoice(Audience.STAFF.value, _l("Staff only"))])
    sponsor_count = _count(_l("Sponsors needed before moderation"))
    visibility_threshold = _count(_l("Signatures before the petition is listed (0 = at once)"))
    response_threshold = _count(_l("Signatures for a response"), 1)
    window_days = _days(_l("Signing window (days)"))
    debate_threshold = IntegerField(_l("Signatures for a debate (empty = none)"),
                                    validators=[Optional(), NumberRange(min=1,
                                                                        max=100_000_000)])
    response_due_days = _days(_l("Days to answer after the threshold"))
    moderation_sla_days = _days(_l("Moderation target (days)"))
    area_kind = SelectField(_l("Area asked from signers"), choices=[
        SelectChoice("none", _l("None")),
        SelectChoice("district", _l("District (from the list below)")),
        SelectChoice("postcode", _l("Postcode"))])
    area_choices = TextAreaField(_l("Districts, one per line"), render_kw={"rows": 5},
                                 validators=[Optional(), Length(max=10000),
                                             no_control_characters])
    eligibility_text = StringField(_l("Who may sign"), validators=[Optional(), Length(max=300),
                                                                   no_control_characters])
    submit = SubmitField(_l("Save scheme"))

    def validate_debate_threshold(self, field):
        """The same rule as lifecycle.FrozenRules, shown on the field in the reader's language."""
        response = self.response_threshold.data
        if field.data is not None and isinstance(response, int) and field.data <= response:
            raise ValidationError(_l("The debate threshold must be higher than the response "
                                     "threshold."))
