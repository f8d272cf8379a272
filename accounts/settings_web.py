"""Your account page and its settings: area, display language, password, email address,
deletion. Views on the accounts blueprint (accounts/web.py holds registration, login and
the admin pages); URLs and endpoint names are the accounts blueprint's."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import forms, service
from accounts.web import bp
from core.security import public_url
from core.web import LANG_COOKIE, browser_locale


def _emailed(endpoint: str):
    """The link an email carries for a token (from the configured public base URL)."""
    return lambda token: public_url(endpoint, token=token)


def _areas() -> list[str]:
    """The city's areas (config AREAS): what an account may name as where it lives."""
    return list(current_app.config.get("AREAS") or ())


def _area_form(**kwargs) -> forms.AreaForm:
    form = forms.AreaForm(prefix="ar", **kwargs)
    form.area.choices = [("", _("Not saying"))] + [(a, a) for a in _areas()]
    return form


def _account_page(status=200, **forms_in_use):
    page_forms = {"area_form": _area_form(data={"area": current_user.area}),
                  "password_form": forms.ChangePasswordForm(prefix="pw"),
                  "email_form": forms.ChangeEmailForm(prefix="em"),
                  "delete_form": forms.DeleteAccountForm(prefix="del"),
                  "resend_form": forms.ConfirmForm(),
                  "language_form": forms.ConfirmForm(prefix="lang"),
                  **forms_in_use}
    return render_template("accounts/account.html", **page_forms), status


@bp.get("/account")
@login_required
def account():
    """Your account: details, roles, changes, deletion."""
    return _account_page()


@bp.post("/account/area")
@login_required
def change_area():
    """Say which of the city's areas you live in (some budgets are for one area)."""
    form = _area_form()
    if form.validate_on_submit():
        try:
            service.set_area(current_user, form.area.data or "", areas=_areas())
        except service.AccountError as error:
            form.area.errors.append(str(error))
        else:
            flash(_("Your area is saved."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(400, area_form=form)


@bp.post("/account/language")
@login_required
def follow_browser_language():
    """Forget the chosen display language (account, cookie, session): pages and emails
    follow the browser's Accept-Language again."""
    form = forms.ConfirmForm(prefix="lang")
    if not form.validate_on_submit():
        abort(400)
    service.forget_language(current_user)
    session.pop(LANG_COOKIE, None)
    with force_locale(browser_locale()):  # the request's user still has the forgotten one
        flash(_("Pages now follow your browser's language."), "success")
    response = redirect(url_for("accounts.account"))
    response.delete_cookie(LANG_COOKIE)
    return response


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password (needs the current one)."""
    form = forms.ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            user = service.change_password(current_user, current=form.current.data,
                                           new=form.password.data)
        except service.AccountError as error:
            form.current.errors.append(str(error))
        else:
            # Keep this session (new fingerprint); every other session ends.
            login_user(user, remember=False)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(400, password_form=form)


@bp.post("/account/email")
@login_required
def change_email():
    """Ask to change the email; the new address must confirm."""
    form = forms.ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            service.request_email_change(current_user, password=form.current.data,
                                         new_email=form.email.data,
                                         confirm_link=_emailed("accounts.confirm_email_change"),
                                         secret_key=current_app.secret_key)
        except service.AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("We sent a confirmation link to %(email)s. Your email changes when you "
                    "open it.", email=service.normalise_email(form.email.data)), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(400, email_form=form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token):
    """Confirm a new email address."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            service.confirm_email_change(token, secret_key=current_app.secret_key)
        except service.InvalidToken as error:
            return render_template("accounts/token_error.html", message=str(error)), 400
        logout_user()  # the session id carried the old email's fingerprint
        flash(_("Your email address is changed. Please log in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/confirm.html", form=form,
                           heading=_("Confirm your new email address"))


@bp.post("/account/delete")
@login_required
def delete_account():
    """Delete the account: personal data removed, votes kept anonymously."""
    form = forms.DeleteAccountForm(prefix="del")
    if form.validate_on_submit():
        try:
            service.delete_account(current_user, password=form.current.data)
        except service.AccountError as error:
            form.current.errors.append(str(error))
        else:
            session.clear()
            logout_user()  # after clear(), so the remember-me cookie is deleted too
            flash(_("Your account is deleted."), "success")
            return redirect(url_for("site.home"))
    return _account_page(400, delete_form=form)
