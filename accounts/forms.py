"""Account forms (Flask-WTF: CSRF token on every POST, fields whitelisted)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from accounts.service import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

_NO_CONTROL = "".join(chr(c) for c in range(32)) + "\x7f"


def _required():
    # Our own message: WTForms' built-in catalogue would answer zh_Hant in Simplified Chinese.
    return DataRequired(message=_l("Please fill in this field."))


def _printable(form, field):
    if any(ch in _NO_CONTROL for ch in field.data or ""):
        raise ValidationError(_l("Please remove control characters."))


def _new_password(label):
    return PasswordField(label, validators=[
        _required(),
        Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
               message=_l("Use between %(min)d and %(max)d characters.")),
    ])


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email(label):
    return EmailField(label, filters=[_strip], validators=[
        _required(), Length(max=320),
        Email(message=_l("Enter an email address like name@example.org.")),
    ])


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[
        _required(), Length(max=80), _printable])
    email = _email(_l("Email"))
    password = _new_password(_l("Password"))


class LoginForm(FlaskForm):
    email = _email(_l("Email"))
    password = PasswordField(_l("Password"), validators=[_required()])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = _email(_l("Email"))


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        _required(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[_required()])
    password = _new_password(_l("New password"))


class ChangeEmailForm(FlaskForm):
    email = _email(_l("New email"))
    current = PasswordField(_l("Current password"), validators=[_required()])


class DeleteAccountForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[_required()])
    understood = BooleanField(_l("I understand that this cannot be undone"),
                              validators=[_required()])


class ConfirmForm(FlaskForm):
    """A bare form: a button plus the CSRF token."""
