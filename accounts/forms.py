"""Account forms (core.forms.Form: CSRF token on every POST, fields whitelisted)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from accounts.service import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from core.forms import Form, has_visible_text

# C0 and C1 controls, Unicode line breaks, and direction embeddings/overrides/isolates.
_NO_CONTROL = frozenset("".join(chr(c) for c in range(32)) + "".join(
    chr(c) for c in range(0x7f, 0xa0)) + "\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069")


def _printable(form, field):
    if any(ch in _NO_CONTROL for ch in field.data or ""):
        raise ValidationError(_l("Please remove control characters."))
    if field.data and not has_visible_text(field.data):
        raise ValidationError(_l("Enter some visible text."))


def _new_password(label):
    return PasswordField(label, validators=[
        DataRequired(),
        Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
               message=_l("Use between %(min)d and %(max)d characters.")),
    ])


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email(label):
    return EmailField(label, filters=[_strip], validators=[
        DataRequired(), Length(max=320), Email()])


class RegisterForm(Form):
    display_name = StringField(_l("Display name"), validators=[
        DataRequired(), Length(max=80), _printable])
    email = _email(_l("Email"))
    password = _new_password(_l("Password"))


class LoginForm(Form):
    email = _email(_l("Email"))
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = _email(_l("Email"))


class ResetPasswordForm(Form):
    password = _new_password(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = _new_password(_l("New password"))


class ChangeEmailForm(Form):
    email = _email(_l("New email"))
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class DeleteAccountForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    understood = BooleanField(_l("I understand that this cannot be undone"),
                              validators=[DataRequired()])


class AreaForm(Form):
    """Where you live; the choices (the city's areas, config AREAS) are set by the view."""

    area = SelectField(_l("Your area"), choices=[], validate_choice=False)


class ConfirmForm(Form):
    """A bare form: a button plus the CSRF token."""
