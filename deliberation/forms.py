"""Conversation forms (Flask-WTF: CSRF on every POST, WTForms validators)."""
from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import ONE_LINE, Form, no_control_characters
from core.process import Audience, Commitment
from deliberation.phases import Moderation


class StatementForm(Form):
    text = TextAreaField(_l("Your statement"), validators=[DataRequired()])
    confirmed = HiddenField()

    def __init__(self, *args, max_length: int = 140, **kwargs):
        super().__init__(*args, **kwargs)
        self.text.validators = [DataRequired(), Length(max=max_length), *ONE_LINE]
        self.text.render_kw = {"maxlength": max_length, "rows": 3}


class ModerationForm(Form):
    """Bulk moderation: the chosen statements all move to one state, with one reason."""

    statements = SelectMultipleField(_l("Statements"), coerce=int,
                                     widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput(),
                                     validators=[DataRequired(_l("Choose a statement."))])
    action = RadioField(_l("Decision"), choices=[
        SelectChoice(Moderation.ACCEPTED.value, _l("Accept")),
        SelectChoice(Moderation.REJECTED.value, _l("Reject")),
        SelectChoice(Moderation.META.value, _l("Mark as about the conversation (meta)"))],
        validators=[InputRequired(_l("Choose a decision."))])
    reason = StringField(_l("Reason (shown in the audit log)"),
                         validators=[Optional(), Length(max=500)])


class ConversationForm(Form):
    title = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200), *ONE_LINE])
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000), no_control_characters])
    seed_statements = TextAreaField(_l("Seed statements (one per line)"), validators=[
        Optional(), Length(max=20000), no_control_characters])
    strict_moderation = BooleanField(_l("Strict moderation: show only accepted statements"))
    participants_can_write = BooleanField(_l("Participants may write statements"),
                                          default=True)
    anonymous_allowed = BooleanField(_l("People may take part without an account"),
                                     default=True)
    statement_max_length = IntegerField(_l("Longest statement (characters)"), default=140,
                                        validators=[InputRequired(), NumberRange(20, 1000)])
    commitment = RadioField(_l("Commitment"), default=Commitment.ADVISORY.value, choices=[
        SelectChoice(Commitment.ADVISORY.value, _l("Advisory: the authority takes input")),
        SelectChoice(Commitment.BINDING.value, _l("Binding: the authority acts on the result"))])
    audience = RadioField(_l("Audience"), default=Audience.PUBLIC.value, choices=[
        SelectChoice(Audience.PUBLIC.value, _l("Public")),
        SelectChoice(Audience.STAFF.value, _l("Staff only"))])
    opens_at = DateTimeLocalField(_l("Opens at (UTC, optional)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (UTC, optional)"), validators=[Optional()])

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("The closing time must be after the opening time."))

    def settings(self) -> dict:
        """The conversation's fields as the service takes them (dates in UTC)."""
        out = {name: getattr(self, name).data for name in (
            "title", "description", "strict_moderation", "participants_can_write",
            "anonymous_allowed", "statement_max_length", "commitment", "audience")}
        out["title"] = out["title"].strip()
        out["description"] = (out["description"] or "").strip()
        for name in ("opens_at", "closes_at"):
            value = getattr(self, name).data
            out[name] = value.replace(tzinfo=UTC) if value else None
        return out

    def seeds(self) -> list[str]:
        lines = (self.seed_statements.data or "").splitlines()
        return [" ".join(line.split()) for line in lines if line.strip()]


class ImportForm(Form):
    archive = FileField(_l("Polis openData export (.zip)"), validators=[FileRequired()])
