"""Every account email reaches its reader in the language they chose, word for word: the
confirmation link (sent again), the "you already have an account" notice, and both emails of
an email-change request (killed issue-15 mutation survivors in accounts/service.py
`_queue_confirmation`, `register` and `request_email_change`: a dropped language, a lost
name or link, any changed text falls back to English or differs from the catalog)."""
from __future__ import annotations

from babel.support import Translations

from accounts import service
from core.db import db

SECRET = "test-secret"
PASSWORD = "correct horse battery staple"


def zh(msgid, **params):
    """The catalog's Traditional Chinese text (loaded here: the .mo is compiled by a
    session fixture, after this module is imported)."""
    text = Translations.load("translations", ["zh_Hant"]).gettext(msgid)
    assert text != msgid, f"not translated: {msgid!r}"
    return text % params if params else text


def _chinese_reader(make_user, **kwargs):
    user = make_user(**kwargs)
    user.language = "zh_Hant"
    db.session.commit()
    return user


def _mail(outbox, to):
    return [(e.subject, e.body) for e in outbox(to)]


def test_a_resent_confirmation_link_is_in_the_readers_language(app, make_user, outbox):
    user = _chinese_reader(make_user, name="陳小明", confirmed=False)
    service.resend_confirmation(user, lambda token: "https://city.example/confirm/T",
                                secret_key=SECRET)
    assert _mail(outbox, user.email) == [(
        zh("Confirm your email address"),
        zh("Hello %(name)s,\n\nPlease confirm your email address by opening this link "
           "within 7 days:\n\n%(url)s\n\nIf you did not create an account, ignore "
           "this email.", name="陳小明", url="https://city.example/confirm/T"))]


def test_registering_again_tells_the_owner_in_their_language(app, make_user, outbox):
    owner = _chinese_reader(make_user, email="owner@example.org")
    again = service.register(display_name="Someone", email="Owner@Example.org",
                             password="another long passphrase",
                             confirm_link=lambda token: f"https://city.example/c/{token}",
                             forgot_url="https://city.example/forgot", secret_key=SECRET)
    assert again is None
    assert _mail(outbox, owner.email) == [(
        zh("You already have an account"),
        zh("Someone (maybe you) tried to register again with this address. "
           "You can log in, or choose a new password here:\n\n%(url)s",
           url="https://city.example/forgot"))]


def test_an_email_change_is_confirmed_and_announced_in_the_readers_language(
        app, make_user, outbox):
    user = _chinese_reader(make_user, email="old@example.org")
    service.request_email_change(user, password=PASSWORD, new_email="new@example.org",
                                 confirm_link=lambda token: "https://city.example/e/T",
                                 secret_key=SECRET)
    assert _mail(outbox, "new@example.org") == [(
        zh("Confirm your new email address"),
        zh("Open this link within 7 days to use this address for your "
           "account:\n\n%(url)s", url="https://city.example/e/T"))]
    assert _mail(outbox, "old@example.org") == [(
        zh("Email change requested"),
        zh("Someone asked to change the email address of your account. If it was "
           "not you, change your password now."))]
