"""Accounts: register, confirm, login, logout, reset; admin user management. The account
page and its settings are in accounts/settings_web.py, on the same blueprint."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import (
    current_user,
    login_required,
    login_user,
    logout_user,
    user_logged_in,
)
from werkzeug.exceptions import TooManyRequests

from accounts import forms, labels, service
from accounts.models import User
from core import ratelimit
from core.db import db
from core.extensions import limiter, login_manager
from core.roles import Role
from core.security import public_url, role_required, safe_next
from core.web import LANG_COOKIE, language_chosen

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_context_processor
def _role_labels():
    """Every page may name a role in the reader's language (accounts/labels.py)."""
    return {"role_label": labels.role_label}


@login_manager.user_loader
def load_user(session_id: str):
    """Flask-Login's loader: the user a session id names (service.user_for_session)."""
    return service.user_for_session(session_id)


@language_chosen.connect
def _remember_language(app, *, language: str) -> None:
    """A logged-in person's language choice follows their account (core.web.set_language)."""
    if current_user.is_authenticated:
        service.remember_language(current_user, language)


@user_logged_in.connect
def _adopt_the_browsers_language(app, *, user, **extra) -> None:
    """A language picked before logging in becomes the account's, unless it has one."""
    chosen = request.cookies.get(LANG_COOKIE)
    if user.language is None and chosen in app.config["LANGUAGES"]:
        service.remember_language(user, chosen)


@login_manager.unauthorized_handler
def _unauthorized():
    abort(401)  # core.web turns it into a redirect to the login page, or JSON


def _link(endpoint: str):
    return lambda token: public_url(endpoint, token=token)


def _limit(name: str):
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_RATE_LIMIT")
def register():
    """Create an account; a confirmation link is emailed."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register(
                display_name=form.display_name.data, email=form.email.data,
                password=form.password.data, confirm_link=_link("accounts.confirm_email"),
                forgot_url=public_url("accounts.forgot_password"),
                secret_key=current_app.secret_key)
        except service.AccountError as error:
            form.password.errors.append(str(error))
        else:
            if user is not None:
                service.account_registered.send(current_app._get_current_object(), user=user)
            flash(_("Thank you. We sent a confirmation link to %(email)s. You can log in now.",
                    email=service.normalise_email(form.email.data)), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token):
    """Confirm an email address (the button posts, so link scanners change nothing)."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            service.confirm_email(token, secret_key=current_app.secret_key)
        except service.InvalidToken as error:
            return render_template("accounts/token_error.html", message=str(error)), 400
        flash(_("Your email address is confirmed."), "success")
        return redirect(url_for("accounts.account" if current_user.is_authenticated
                                else "accounts.login"))
    return render_template("accounts/confirm.html", form=form,
                           heading=_("Confirm your email address"))


@bp.post("/account/confirm/resend")
@login_required
@_limit("EMAIL_RATE_LIMIT")
def resend_confirmation():
    """Send another confirmation link, then back to `next` (a page of this site, such as
    the ballot that asked for it) or the account page."""
    if forms.ConfirmForm().validate_on_submit() and not current_user.is_confirmed:
        service.resend_confirmation(current_user, _link("accounts.confirm_email"),
                                    secret_key=current_app.secret_key)
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email),
              "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.account")))


def _count_login_attempt(email: str):
    """Count this login attempt before the password is checked (docs/reliability.md §2d):
    per address and email, per email from any address, per address with any email. The
    count is one atomic increment per counter (core.ratelimit.attempt), so parallel
    guesses cannot all slip under the limit. Returns None when limits are off."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    address, email = get_remote_address(), service.normalise_email(email)
    config = current_app.config
    counted = ratelimit.attempt(limiter.storage, [
        (config["LOGIN_RATE_LIMIT"], "login", address, email),
        (config["LOGIN_ACCOUNT_RATE_LIMIT"], "login-account", email),
        (config["LOGIN_IP_RATE_LIMIT"], "login-address", address),
    ])
    if counted.retry_after is not None:
        raise TooManyRequests(retry_after=counted.retry_after)
    return counted


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    form = forms.LoginForm(next=request.args.get("next", ""))
    failed = False
    if form.validate_on_submit():
        counted = _count_login_attempt(form.email.data)
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            if counted is not None:
                counted.refund()  # only failures count
            keep = {k: session[k] for k in ("lang",) if k in session}
            session.clear()  # no session fixation: nothing survives from before login
            session.update(keep)
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data))
        failed = True
        form.password.errors.append(_("Email or password is not correct."))
    status = 401 if failed else (400 if form.errors else 200)
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Log out (GET shows a button, POST logs out)."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            service.end_sessions(current_user)  # copied cookies stop working too
        # Clear first: logout_user() leaves the flag that deletes the remember-me cookie.
        session.clear()
        logout_user()
        flash(_("You are logged out."), "success")
        return redirect(url_for("site.home"))
    return render_template("accounts/confirm.html", form=form, heading=_("Log out"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def forgot_password():
    """Ask for a password reset link."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data, _link("accounts.reset_password"),
                                       secret_key=current_app.secret_key)
        flash(_("If an account uses %(email)s, we sent it a link to choose a new password. "
                "The link works for one hour.",
                email=service.normalise_email(form.email.data)), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), (400 if form.errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_password(token):
    """Choose a new password from an emailed link."""
    try:
        service.user_for_reset_token(token, secret_key=current_app.secret_key)
    except service.InvalidToken as error:
        return render_template("accounts/token_error.html", message=str(error)), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data,
                                   secret_key=current_app.secret_key)
        except (service.InvalidToken, service.AccountError) as error:
            form.password.errors.append(str(error))
        else:
            flash(_("Your password is changed. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@admin_bp.get("/")
@role_required(Role.ADMIN)
def index():
    """Administration overview and the latest audit entries."""
    entries, names = service.latest_audit(limit=50)
    return render_template("admin/index.html", entries=entries, names=names,
                           user_count=service.count_users())


@admin_bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """All accounts with their roles."""
    return _users_page()


def _users_page(error=None, status=200):
    return render_template("admin/users.html", users=service.active_users(),
                           roles=service.GRANTABLE_ROLES, error=error,
                           form=forms.ConfirmForm()), status


@admin_bp.post("/users/<int:user_id>/roles")
@role_required(Role.ADMIN)
def set_role(user_id):
    """Grant or revoke one role (written to the audit log); a refusal shows the list again with
    the reason: 400 for an unknown role, 409 for a change the accounts cannot take."""
    user = db.get_or_404(User, user_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action")
    if action not in ("grant", "revoke"):
        abort(400)
    role = request.form.get("role", "")
    try:
        changed = service.set_role(current_user, user, role, granted=action == "grant")
    except service.AccountError as error:
        known = role in {r.value for r in service.GRANTABLE_ROLES}
        return _users_page(error=str(error), status=409 if known else 400)
    if changed:
        flash(_("Roles of %(name)s updated.", name=user.display_name), "success")
    return redirect(url_for("admin.users"))
