"""Site-wide web setup: language choice, security headers, error pages (the home page is in
composition.py)."""
from __future__ import annotations

import logging
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path

from babel.numbers import get_currency_precision
from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.globals import request_ctx
from flask_babel import format_currency, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from core import audit, labels, mail  # noqa: F401 - register the outbox and audit tables
from core.db import db
from core.extensions import babel
from core.process import Audience
from core.roles import Role
from core.security import SessionInterface, safe_next, set_security_headers

bp = Blueprint("core", __name__)
# plotly.js from the installed plotly package (no CDN), found without importing plotly.
PLOTLY_JS = Path(find_spec("plotly").origin).parent / "package_data" / "plotly.min.js"


@bp.get("/vendor/plotly.min.js")
def plotly_js():
    """plotly.js for the budget results and the opinion map: same origin, so CSP 'self'."""
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=7 * 24 * 3600)


log = logging.getLogger(__name__)
# Seconds a client should wait after a 503 "database busy" (docs/reliability.md §3a).
BUSY_RETRY_AFTER = 2

LANGUAGE_NAMES = {"en": "English", "zh_Hant": "繁體中文"}
LANG_COOKIE = "lang"
# Accept-Language tags that mean Traditional Chinese.
_TRADITIONAL_TAGS = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")

ERROR_MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. If you sent a form, "
                                "reload the page and try again.")),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Not allowed"), _l("Your account does not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept.")),
    429: (_l("Too many attempts"), _l("You have tried this too often. Please wait a few "
                                      "minutes and try again.")),
    503: (_l("Busy, please retry"), _l("The site is very busy right now and could not save "
                                       "or load this page. Please try again in a few "
                                       "seconds.")),
    500: (_l("Something went wrong"), _l("An error on our side stopped this page. It has been "
                                         "logged; please try again later.")),
}


def select_locale() -> str:
    """Locale from the `lang` cookie (language switch), then Accept-Language, then English."""
    if not has_request_context():  # CLI jobs and seed-demo: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE) or session.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    for tag, _quality in request.accept_languages:
        tag = tag.lower()
        if tag.startswith(_TRADITIONAL_TAGS) and "zh_Hant" in languages:
            return "zh_Hant"
        if tag.startswith("en"):
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    """BCP 47 tag for <html lang>: zh_Hant → zh-Hant."""
    return str(get_locale() or "en").replace("_", "-")


@bp.post("/language")
def set_language():
    """Remember the chosen display language in a cookie (a preference, nothing else)."""
    lang = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True)
    return response


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > 0


def render_error(error: HTTPException):
    """HTML error page, or `{"error": ..., "status": ...}` for Accept: application/json."""
    code = error.code or 500
    title, message = ERROR_MESSAGES.get(code, (error.name, error.description))
    if isinstance(error, CSRFError):
        message = _l("Your form expired or was sent from another site. Reload the page "
                     "and try again.")
    if wants_json():
        response = jsonify(error=str(title), message=str(message), status=code)
    elif request_ctx.url_adapter is None:
        # The request could not even be routed (e.g. a Host with a label over 63
        # characters): no url_for, so no site layout; a bare page instead of a crash.
        response = current_app.response_class(
            f"<!doctype html>\n<html lang=\"{escape(html_lang())}\"><head><meta charset="
            f"\"utf-8\"><title>{escape(title)}</title></head><body><h1>{escape(title)}"
            f"</h1><p>{escape(message)}</p></body></html>\n", mimetype="text/html")
    else:
        response = current_app.response_class(
            render_template("errors/error.html", code=code, title=title, message=message),
            mimetype="text/html")
    response.status_code = code
    if code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _handle_http_error(error: HTTPException):
    if error.code == 401 and not wants_json():
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return render_error(error)


def _handle_operational_error(error: OperationalError):
    """SQLite's "database is locked" (SQLITE_BUSY the busy_timeout could not absorb) becomes
    a 503 with Retry-After, never a 500 (docs/reliability.md §3a "Retry"). Other operational
    errors are real faults: re-raised, so they are logged and shown as 500."""
    if "database is locked" not in str(error):
        raise error
    db.session.rollback()  # the failed transaction must not leak into the rest of the request
    log.warning("database is locked: answered 503 to %s %s", request.method, request.path)
    response = render_error(ServiceUnavailable())
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


class RowId(IntegerConverter):
    """``<int:…>`` in every route: ids fit PostgreSQL's INTEGER, so a forged
    99999999999999999999 is a 404 like any other unknown id, not an OverflowError (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _refuse_nul_bytes():
    """No text we store or search may contain NUL: PostgreSQL refuses it mid-query (a 500),
    SQLite would store it. Refuse the request up front with a 400 instead."""
    values = [request.path, *request.args.values()]
    if request.method == "POST" and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.values()
    if any("\x00" in value for value in values):
        abort(400)


def _handle_overflow(error: OverflowError):
    """A number from the request too large for the database (e.g. ?page=10**20): bad input."""
    db.session.rollback()
    log.info("number out of range in %s %s: %s", request.method, request.path, error)
    return render_error(BadRequest())


# SQLSTATE 22003: PostgreSQL's answer to the same number (SQLite's driver raises OverflowError).
NUMERIC_VALUE_OUT_OF_RANGE = "22003"


def _handle_out_of_range(error: DataError):
    """PostgreSQL refusing a number from the request (e.g. a 20-digit form field) is bad
    input, as OverflowError is on SQLite; any other DataError is a real fault (500)."""
    if getattr(error.orig, "sqlstate", None) != NUMERIC_VALUE_OUT_OF_RANGE:
        raise error
    return _handle_overflow(error)


def money(minor_units: int, currency: str = "EUR") -> str:
    """Format an amount stored in minor units (cents) for the current locale."""
    digits = get_currency_precision(currency)
    return format_currency(Decimal(int(minor_units)).scaleb(-digits), currency)


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.session_interface = SessionInterface()
    app.after_request(set_security_headers)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(OperationalError, _handle_operational_error)
    app.register_error_handler(OverflowError, _handle_overflow)
    app.register_error_handler(DataError, _handle_out_of_range)
    app.url_map.converters["int"] = RowId  # before the blueprints add their routes
    app.before_request(_refuse_nul_bytes)
    app.jinja_env.filters["money"] = money
    # Templates compare enums, never string literals; framing labels feed the badge macro.
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, html_lang=html_lang, Role=Role,
                                 Audience=Audience, framing_labels=labels)
    app.register_blueprint(bp)
