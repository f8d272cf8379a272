"""Site-wide web setup: language choice, security headers, error pages (the home page is in
composition.py)."""
from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from babel.numbers import get_currency_precision
from blinker import Namespace
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
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
from flask_babel import (
    format_currency,
    format_date,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
    ngettext,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable, TooManyRequests
from werkzeug.routing import IntegerConverter

from core import audit, labels, leases, mail  # noqa: F401 - register the outbox, audit, lease tables
from core.db import db
from core.extensions import babel, limiter
from core.process import Audience
from core.roles import Role
from core.security import SessionInterface, safe_next, set_security_headers

bp = Blueprint("core", __name__)
# plotly.js from the installed plotly package (no CDN), found without importing plotly.
PLOTLY_JS = Path(find_spec("plotly").origin).parent / "package_data" / "plotly.min.js"


# The bundle carries the MapLibre stylesheet and adds it as an inline <style> when it loads
# (blocked by our CSP) unless an element with its id is already on the page; we serve that
# CSS as a file under the same id instead (templates/_plotly.html).
_BUNDLED_CSS = re.compile(r'if\(!document\.getElementById\("(\w+)"\)\)\{var (\w)='
                          r'document\.createElement\("style"\);\2\.id="\1",\2\.textContent=\'([^\']*)\'')


@cache
def plotly_bundled_css() -> tuple[str, str] | None:
    """(element id, CSS) of the stylesheet plotly.js would inject inline, if it has one."""
    found = _BUNDLED_CSS.search(PLOTLY_JS.read_text(encoding="utf-8"))
    return (found.group(1), found.group(3)) if found else None


@bp.get("/vendor/plotly.min.js")
def plotly_js():
    """plotly.js for the budget results and the opinion map: same origin, so CSP 'self'."""
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=7 * 24 * 3600)


@bp.get("/vendor/plotly-bundled.css")
def plotly_css():
    """The stylesheet plotly.js carries inside (MapLibre's), as a file: CSP 'self'."""
    bundled = plotly_bundled_css()
    if bundled is None:
        abort(404)
    return current_app.response_class(bundled[1], mimetype="text/css",
                                       headers={"Cache-Control": "max-age=604800"})


@bp.get("/favicon.ico")
def favicon():
    """No icon: an empty answer, so browsers do not log a 404 on every first visit."""
    return "", 204, {"Cache-Control": "max-age=604800"}


@bp.app_context_processor
def _plotly_assets():
    """templates/_plotly.html needs the id plotly.js looks for before injecting its CSS."""
    bundled = plotly_bundled_css()
    return {"plotly_bundled_css_id": bundled[0] if bundled else None}


log = logging.getLogger(__name__)
# Seconds a client should wait after a 503 "database busy" (docs/reliability.md §3a).
BUSY_RETRY_AFTER = 2

LANGUAGE_NAMES = {"en": "English", "zh_Hant": "繁體中文"}
LANG_COOKIE = "lang"
# Accept-Language tags that mean Traditional Chinese.
_TRADITIONAL_TAGS = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
# Sent with `language=` when someone picks a display language; accounts keeps it on the
# logged-in person's account (core cannot import accounts: the layering runs the other way).
language_chosen = Namespace().signal("language-chosen")

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
    """Locale the person picked (kept on their account, or in the `lang` cookie when
    anonymous), else Accept-Language, else English."""
    if not has_request_context():  # CLI jobs and seed-demo: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    for chosen in (getattr(current_user, "language", None),
                   request.cookies.get(LANG_COOKIE), session.get(LANG_COOKIE)):
        if chosen in languages:
            return chosen
    return browser_locale()


def browser_locale() -> str:
    """The locale the browser asks for (Accept-Language), else English."""
    for tag, _quality in request.accept_languages:
        tag = tag.lower()
        if tag.startswith(_TRADITIONAL_TAGS) and "zh_Hant" in current_app.config["LANGUAGES"]:
            return "zh_Hant"
        if tag.startswith("en"):
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def request_catalog():
    """The translations of the page being answered, found once per request and locale.

    Flask-Babel looks them up again for every string (a dozen context look-ups and the
    locale's name each time, ~35 µs; a page shows 10–30 strings, issue 13). Cached beside
    Flask-Babel's own state of the request and keyed by its locale object, so `force_locale`
    (emails in the recipient's language) and `flask_babel.refresh` still switch catalogs."""
    try:
        state = g._flask_babel
        locale, translations = state.civic_catalog
        if locale is state.babel_locale:
            return translations
    except (AttributeError, RuntimeError):  # first string of the request; no app context
        pass
    translations = get_translations()
    state = getattr(g, "_flask_babel", None) if g else None
    if getattr(state, "babel_locale", None) is not None:
        state.civic_catalog = (state.babel_locale, translations)
    return translations


@pass_eval_context
def _template_gettext(eval_ctx, string, /, **variables):
    """Jinja's "newstyle" gettext: translated, marked safe where the template autoescapes,
    then always %-formatted (so "%%" is "%"), the variables escaped."""
    text = request_catalog().ugettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_ngettext(eval_ctx, singular, plural, num, /, **variables):
    """Jinja's "newstyle" ngettext: as `_template_gettext`, `num` available as %(num)."""
    variables.setdefault("num", num)
    text = request_catalog().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def html_lang() -> str:
    """BCP 47 tag for <html lang>: zh_Hant → zh-Hant."""
    return str(get_locale() or "en").replace("_", "-")


@bp.post("/language")
def set_language():
    """Remember the chosen display language: in a cookie (a preference, nothing else), and
    on the account of a logged-in person (accounts listen to `language_chosen`)."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    language_chosen.send(current_app._get_current_object(), language=lang)
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600,
                        samesite="Lax", httponly=True)
    return response


class VisibilityCheck:
    """A page's "may this reader see it" check, handed to a use case that loads the object
    itself, once, in its write transaction (signing, casting a ballot): it remembers the
    object it was given (`seen`) for the page that answers, which need not load it again
    (an ORM object stays in the session's identity map while someone holds it)."""

    def __init__(self, may_view: Callable[[Any], bool]):
        self.may_view = may_view
        self.seen = None

    def __call__(self, obj) -> bool:
        self.seen = obj
        return self.may_view(obj)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > 0


def render_error(error: HTTPException, *, message: str | None = None,
                 link: tuple[str, str] | None = None):
    """HTML error page, or `{"error": ..., "status": ...}` for Accept: application/json."""
    code = error.code or 500
    title, default_message = ERROR_MESSAGES.get(code, (error.name, error.description))
    message = message or default_message
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
            render_template("errors/error.html", code=code, title=title, message=message,
                            link=link),
            mimetype="text/html")
    response.status_code = code
    if code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _handle_http_error(error: HTTPException):
    if error.code == 401 and not wants_json():
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return render_error(error)


def retry_after_seconds(error: TooManyRequests) -> int:
    """Seconds until the limit this request broke opens again (at least 1): the error's
    own `retry_after` (core.ratelimit.attempt), else Flask-Limiter's current window."""
    if isinstance(getattr(error, "retry_after", None), int):
        return max(1, error.retry_after)
    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current else 60


def _handle_rate_limited(error: TooManyRequests):
    """A friendly 429 (docs/reliability.md §2d): how long to wait, in the reader's language,
    the same wait in Retry-After, and what to do meanwhile."""
    wait = retry_after_seconds(error)
    minutes = max(1, math.ceil(wait / 60))
    message = ngettext("You have tried this too often. For your safety, please wait "
                       "%(num)d minute and try again.",
                       "You have tried this too often. For your safety, please wait "
                       "%(num)d minutes and try again.", minutes)
    link = None
    if request.endpoint == "accounts.login":  # meanwhile, a reset link still works
        link = (url_for("accounts.forgot_password"), _("Forgot your password?"))
    response = render_error(error, message=message, link=link)
    response.headers["Retry-After"] = str(wait)
    return response


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


def local_date(value) -> str:
    """A date (or the date of a UTC datetime) in the reader's locale: 'Dec 5, 2026',
    '2026年12月5日'."""
    return format_date(value, "medium")


def local_datetime(value) -> str:
    """Date and 24-hour time in the reader's locale ('Dec 5, 2026 09:03', '2026年12月5日
    09:03'); templates add "UTC" after it (BABEL_DEFAULT_TIMEZONE)."""
    return f"{format_date(value, 'medium')} {format_time(value, 'HH:mm')}"


def number(value, places: int | None = None) -> str:
    """A count or decimal with the reader's locale's grouping (12,345); `places` fixes the
    decimals (12,345.60)."""
    return format_decimal(value, None if places is None else "#,##0." + "0" * places)


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # In place of the ones Flask-Babel installs: through the request's catalog, and without
    # Jinja's three wrapping layers (same results; its pgettext and npgettext are unused).
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext,
                                 ngettext=_template_ngettext)
    app.session_interface = SessionInterface()
    app.after_request(set_security_headers)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(TooManyRequests, _handle_rate_limited)
    app.register_error_handler(OperationalError, _handle_operational_error)
    app.register_error_handler(OverflowError, _handle_overflow)
    app.register_error_handler(DataError, _handle_out_of_range)
    app.url_map.converters["int"] = RowId  # before the blueprints add their routes
    app.before_request(_refuse_nul_bytes)
    app.jinja_env.filters.update(money=money, date=local_date, datetime=local_datetime,
                                 number=number)
    # Templates compare enums, never string literals; framing labels feed the badge macro.
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, html_lang=html_lang, Role=Role,
                                 Audience=Audience, framing_labels=labels)
    app.register_blueprint(bp)
