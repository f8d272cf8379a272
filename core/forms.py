"""The base of every form: Flask-WTF (CSRF token on every POST) with WTForms' own messages
answered from our catalogue.

WTForms ships a "zh" catalogue, which Flask-WTF picks for zh_Hant, and it is Simplified
Chinese; so its built-in messages are mapped to ours here, once, instead of per field.
"""
from __future__ import annotations

import re
import unicodedata

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField as FlaskFileField
from wtforms import FileField, TextAreaField
from wtforms.validators import ValidationError

# Others stay in English. Length messages are only used with max >= 64, so one form
# covers the plural.
WTFORMS_MESSAGES = {
    "This field is required.": _l("Please fill in this field."),
    "Invalid email address.": _l("Enter an email address like name@example.org."),
    "Field cannot be longer than %(max)d character.": _l("Use at most %(max)d characters."),
    "Number must be between %(min)s and %(max)s.": _l("Enter a number from %(min)s to "
                                                       "%(max)s."),
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid datetime value.": _l("Enter a date and time."),
    "Not a valid date value.": _l("Enter a date."),
    "Not a valid choice.": _l("Choose one of the options."),
    "Invalid Choice: could not coerce.": _l("Choose one of the options."),
}


class _WTFormsMessages:
    """The `translations` object WTForms asks for its built-in messages."""

    def gettext(self, string):
        return WTFORMS_MESSAGES.get(string, string)

    def ngettext(self, singular, plural, n):
        return WTFORMS_MESSAGES.get(singular, singular if n == 1 else plural)


def _refuse_mistyped(form, formdata) -> None:
    """A field gets text or nothing: a JSON number, list, object, true or null, or an
    uploaded file where a text field belongs, is a 400 (fields would otherwise crash on it:
    a 500). Only file fields take files."""
    for field in form._fields.values():
        takes_files = isinstance(field, FileField | FlaskFileField)
        for value in formdata.getlist(field.name):
            if not isinstance(value, str) and not takes_files:
                abort(400)


# Unicode's line separators in multi-line text: U+2028 and NEL (U+0085) are a line break,
# U+2029 a paragraph break. Stored as such they break e-mail headers, CSV and JavaScript
# strings, and most text areas show them as nothing; so they become plain newlines.
_SEPARATORS = str.maketrans({"\u2028": "\n", "\x85": "\n", "\u2029": "\n\n"})


def plain_newlines(value):
    """Filter of every text area: Unicode line/paragraph separators become newlines."""
    return value.translate(_SEPARATORS) if isinstance(value, str) else value


class Form(FlaskForm):
    """Base class of our forms (see the module docstring). Every TextAreaField gets the
    `plain_newlines` filter; single-line fields keep refusing the separators (`single_line`),
    and a one-line text area (a statement) refuses the newline they become."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, TextAreaField):
                filters = unbound_field.kwargs.get("filters", ())
                options = {**options, "filters": (*filters, plain_newlines)}
            return super().bind_field(form, unbound_field, options)

        def get_translations(self, form):
            return _WTFormsMessages()

        def wrap_formdata(self, form, formdata):
            if request and request.is_json and request.method == "POST" and \
                    not request.form and not request.files:
                body = request.get_json(silent=True)
                if not isinstance(body, dict):  # a list, a number, or not JSON at all
                    abort(400)
                if not all(isinstance(value, str) for value in body.values()):
                    abort(400)  # a list of strings would pass as repeated form values
            formdata = super().wrap_formdata(form, formdata)
            if formdata is not None and hasattr(formdata, "getlist"):
                _refuse_mistyped(form, formdata)
            return formdata


# Letters (category Lo) that show as blank: Hangul fillers, the braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_text(text: str) -> bool:
    """True if `text` has at least one character that shows: not only white space, format
    characters (zero-width, BOM, direction marks), controls, lone combining marks or blank
    letters."""
    return any(unicodedata.category(ch)[0] not in "ZC"
               and unicodedata.category(ch) not in ("Mn", "Me")
               and ch not in _BLANK_LETTERS for ch in text)


# C0 and C1 controls but tab and newlines, and the direction embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069) that can flip the text around them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e"
                     "\u2066-\u2069]")
# Line breaks, Unicode's included (U+0085 next line, U+2028/U+2029 separators).
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")


def no_control_characters(form, field):
    """NUL and other control characters are refused (EP `RejectBadRequests`), as are
    direction overrides, and text that is there but cannot be seen (only zero-width
    characters, say)."""
    if not isinstance(field.data, str):
        return
    if CONTROL.search(field.data):
        raise ValidationError(_l("Remove control characters from this field."))
    if field.data and not has_visible_text(field.data):
        raise ValidationError(_l("Enter some visible text."))


def single_line(form, field):
    if isinstance(field.data, str) and LINE_BREAK.search(field.data):
        raise ValidationError(_l("This field must be a single line."))


# For a title or a name: visible text on one line.
ONE_LINE = (no_control_characters, single_line)
