"""Anonymous participation: a random token in a signed cookie, kept across logins.

The cookie is signed with the app's secret key (itsdangerous), separate from the session
cookie because login clears the session (no fixation) and the votes must survive it: on
login and at registration the token's participations are merged into the account
(service.merge_anonymous).
The database stores only the token's SHA-256.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, g, has_request_context, request
from flask_login import current_user, user_logged_in
from itsdangerous import BadSignature, URLSafeSerializer

from accounts.service import account_registered
from core.db import utcnow
from deliberation.service import Who, merge_anonymous

COOKIE = "conversation_id"
SALT = "deliberation-anonymous"
MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def anon_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_token() -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) and len(token) >= 32 else None


def current_who(*, create: bool = False) -> Who:
    """The acting person. ``create``: give an anonymous browser a token now (it is set as
    a cookie on the response by :func:`set_cookie_if_new`)."""
    if current_user.is_authenticated:
        return Who(user=current_user._get_current_object())
    token = cookie_token() or g.get("new_conversation_token")
    if token is None and create:
        token = secrets.token_urlsafe(32)
        g.new_conversation_token = token
    return Who(anon_key=anon_key(token) if token else None)


def forget_new_token() -> None:
    """The token `current_who(create=True)` made for this request is not given out (the
    request was refused before it took part)."""
    g.pop("new_conversation_token", None)


def set_cookie_if_new(response):
    token = g.pop("new_conversation_token", None)
    if token is not None:
        response.set_cookie(COOKIE, _serializer().dumps(token), max_age=MAX_AGE,
                            httponly=True, samesite="Lax")
    return response


def _merge_on_login(_app, user, **_extra) -> None:
    """On login and on registration: the browser's anonymous votes become the account's."""
    token = cookie_token() if has_request_context() else None
    if token:
        merge_anonymous(user, anon_key(token), now=utcnow())


def init(state) -> None:
    """Blueprint.record_once hook: merge anonymous votes whenever someone logs in or
    registers."""
    user_logged_in.connect(_merge_on_login, state.app, weak=False)
    account_registered.connect(_merge_on_login, state.app, weak=False)
    state.app.after_request(set_cookie_if_new)
