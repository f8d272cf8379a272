"""Role checks, safe redirects and HTTP security headers.

Header values and the `next=` rule follow docs/reliability.md §2b ("Headers", "Open redirect").
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from core.roles import Role

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def role_required(*roles: Role):
    """Allow the view only to logged-in users holding one of `roles` (401 anonymous, 403 other)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, default: str = "/") -> str:
    """Return `target` if it is a path on this site, else `default` (reliability.md §2b).

    Accepted: starts with exactly one "/", the second character is neither "/" nor "\\",
    no control characters or backslashes anywhere, and `urlsplit` finds no scheme or host.
    """
    if not target or not isinstance(target, str):
        return default
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    # Browsers strip tabs/newlines and decode %2F in some places: refuse encoded slashes
    # and whitespace at the start, where they could turn the path into "//host".
    lowered = target.lower()
    if lowered.startswith(("/%2f", "/%5c", "/%09", "/%0a", "/%0d", "/%20")):
        return default
    return target


def set_security_headers(response):
    """Add CSP, nosniff, frame and referrer headers; Secure cookies + HSTS over HTTPS."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if "_user_id" in session and response.mimetype in ("text/html", "application/json"):
        # Personal pages must not linger in shared or back/forward caches.
        headers.setdefault("Cache-Control", "private, no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        _secure_cookies(response)
    return response


def _secure_cookies(response) -> None:
    """Mark every cookie of the response Secure (the request came over HTTPS)."""
    headers = response.headers
    cookies = headers.getlist("Set-Cookie")
    if cookies:
        headers.remove("Set-Cookie")
        for cookie in cookies:
            if "; secure" not in cookie.lower():
                cookie += "; Secure"
            headers.add("Set-Cookie", cookie)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app, session, response) -> None:
        """Runs after every after_request hook, so cookies set late (Flask-Login's
        remember-me cookie) are made Secure over HTTPS too."""
        super().save_session(app, session, response)
        if request.is_secure:
            _secure_cookies(response)


DEV_BASE_URL = "http://127.0.0.1:5000"  # `flask run`'s address, when nothing is configured


def public_base_url(app=None) -> str:
    """Where the site is reached from outside, for links in emails (never the request's
    Host or X-Forwarded-Host, which anyone can forge): PUBLIC_BASE_URL, else SERVER_NAME
    (with PREFERRED_URL_SCHEME and APPLICATION_ROOT), else the development address."""
    config = (app or current_app).config
    base = config.get("PUBLIC_BASE_URL")
    if not base and config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        base = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}{root}"
    return (base or DEV_BASE_URL).rstrip("/")


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for `endpoint` on public_base_url(): what emailed links use."""
    app = current_app._get_current_object()
    base = urlsplit(public_base_url(app))
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/",
                               url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)
