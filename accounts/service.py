"""Account use cases: registration, confirmation, login check, reset, changes, deletion, roles.

Each function that writes runs in one `write_transaction()`. Emails go through the outbox in
the same transaction. Links are built by the caller (`link(token) -> absolute URL`), so this
module stays free of request handling; the key that signs links is passed in (`secret_key`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

from blinker import Namespace
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import SessionUser, User, UserIdentity, UserRole
from core import audit
from core.audit import AuditEntry
from core.db import db, utcnow, write_transaction
from core.identity import fold_invisible
from core.mail import queue_email_in
from core.privacy import erase_personal_data
from core.roles import Role

PASSWORD_MIN_LENGTH = 12  # ASVS 4.0.3 V2.1.1 (docs/reliability.md §2b "Passwords")
PASSWORD_MAX_LENGTH = 256
CONFIRM_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 3600
# Checked against when the email is unknown, so both failures cost one scrypt verification.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")

Link = Callable[[str], str]

# Sent by the web layer with ``user=`` once a new account exists, so domains can adopt what
# the same browser did anonymously (as Flask-Login's user_logged_in does at login).
account_registered = Namespace().signal("account-registered")


class InvalidToken(ValueError):
    """A confirmation or reset link that is malformed, expired or already used."""


class AccountError(ValueError):
    """A request the account rules refuse; the message is shown to the user."""


def _hash(password: str) -> str:
    """Same hash as User.set_password, computed before a write transaction starts."""
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    """The stored form of an email: invisible characters folded (core.identity), lower case."""
    return fold_invisible(email or "").lower()


def find_user(user_id: int) -> User | None:
    """The user with this id (deleted accounts included), else None."""
    return db.session.get(User, user_id)


def user_for_session(session_id: str) -> SessionUser | None:
    """The user a Flask-Login session id names: "<id>:<fingerprint>:<version>"
    (User.get_id), so a password or email change ends other sessions, and so does a raised
    session version (logout). A bare id is accepted too, as version 0. Read-only: use cases
    that change the account load its `User` by id."""
    user_id, _sep, rest = session_id.partition(":")
    fingerprint, _sep, version = rest.partition(":")
    if not user_id.isdigit():
        return None
    rows = db.session.connection().execute(_SESSION_USER, {"id": int(user_id)}).all()
    if not rows:
        return None
    user = SessionUser(*rows[0][:-1], role_names=frozenset(
        row[-1] for row in rows if row[-1] is not None))
    if fingerprint and fingerprint != user.credential_fingerprint:
        return None
    if (int(version) if version.isdigit() else 0) != (user.session_version or 0):
        return None
    return user


# Every request of a signed-in person runs this: one Core statement built once, one row per
# role (an ORM User with its roles costs ~3 times as much to load; issue 13).
_users, _user_roles = User.__table__, UserRole.__table__
_SESSION_USER = (
    select(*(_users.c[f.name] for f in fields(SessionUser) if f.name != "role_names"),
           _user_roles.c.role)
    .select_from(_users.outerjoin(_user_roles, _user_roles.c.user_id == _users.c.id))
    .where(_users.c.id == bindparam("id")))


def count_users() -> int:
    """Every account ever created, deleted ones included."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def active_users() -> list[User]:
    """Accounts not deleted, oldest first (the admins' list)."""
    return list(db.session.scalars(
        select(User).where(User.deleted_at.is_(None)).order_by(User.id)))


def latest_audit(*, limit: int) -> tuple[list[AuditEntry], dict[int, str]]:
    """The newest `limit` audit entries, and the display names of their actors by id."""
    entries = list(db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = dict(db.session.execute(select(User.id, User.display_name)
                                    .where(User.id.in_(actor_ids))).all())
    return entries, names


def emails_with_role(role: Role) -> list[str]:
    """Addresses of every active user holding `role`, sorted, each once."""
    return list(db.session.scalars(
        select(User.email).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.deleted_at.is_(None), User.email.is_not(None),
               User.email != "").distinct().order_by(User.email)))


def recipients_with_role(role: Role) -> list[tuple[str, str | None]]:
    """(address, chosen language or None) of every active user holding `role`, by address,
    each once: notifications are written in each recipient's own language."""
    return [tuple(row) for row in db.session.execute(
        select(User.email, User.language).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.deleted_at.is_(None), User.email.is_not(None),
               User.email != "").distinct().order_by(User.email))]


def languages_of(user_ids) -> dict[int, str | None]:
    """The chosen language (or None) of each of these users, by id."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.language).where(User.id.in_(ids))).all())


def find_by_email(email: str) -> User | None:
    normalised = normalise_email(email)
    if not normalised:
        return None
    # Stored lower-case (normalise_email), so the unique index answers this.
    return db.session.scalar(select(User).where(User.email == normalised))


def _serializer(purpose: str, secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"accounts.{purpose}")


def make_token(purpose: str, user: User, *, secret_key: str, **extra) -> str:
    """Signed, timestamped token bound to the user's current credentials (single use)."""
    payload = {"uid": user.id, "fp": user.credential_fingerprint, **extra}
    return _serializer(purpose, secret_key).dumps(payload)


def _load_token(purpose: str, token: str, max_age: int, secret_key: str) -> tuple[User, dict]:
    try:
        payload = _serializer(purpose, secret_key).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidToken(_("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise InvalidToken(_("This link is not valid.")) from error
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active or payload.get("fp") != user.credential_fingerprint:
        raise InvalidToken(_("This link is no longer valid."))
    return user, payload


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(_("Use at least %(n)d characters for your password.",
                             n=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(_("Use at most %(n)d characters for your password.",
                             n=PASSWORD_MAX_LENGTH))


def _queue_confirmation(user: User, link: Link, secret_key: str) -> None:
    token = make_token("confirm", user, secret_key=secret_key)
    url = link(token)
    queue_email_in(user.language, user.email, lambda: (
        _("Confirm your email address"),
        _("Hello %(name)s,\n\nPlease confirm your email address by opening this link "
          "within 7 days:\n\n%(url)s\n\nIf you did not create an account, ignore "
          "this email.", name=user.display_name, url=url)))


def register(*, display_name: str, email: str, password: str, confirm_link: Link,
             forgot_url: str, secret_key: str) -> User | None:
    """Create an unconfirmed citizen account and email a confirmation link.

    If the email is already registered nothing is created; the owner of that address is told
    by email instead, so the page does not reveal which addresses have accounts.
    """
    check_password_rules(password)
    email = normalise_email(email)
    password_hash = _hash(password)  # ~0.1 s of scrypt, outside the write lock
    try:
        with write_transaction():
            existing = find_by_email(email)
            if existing is not None:
                queue_email_in(existing.language, email, lambda: (
                    _("You already have an account"),
                    _("Someone (maybe you) tried to register again with this address. "
                      "You can log in, or choose a new password here:\n\n%(url)s",
                      url=forgot_url)))
                return None
            user = User(email=email, display_name=display_name.strip(),
                        password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            _queue_confirmation(user, confirm_link, secret_key)
    except IntegrityError:  # the same email registered concurrently: nothing created
        return None
    return user


def resend_confirmation(user: UserIdentity, confirm_link: Link, *, secret_key: str) -> None:
    with write_transaction():
        _queue_confirmation(user, confirm_link, secret_key)


def confirm_email(token: str, *, secret_key: str) -> User:
    """Mark the email confirmed (idempotent for a valid token)."""
    user, _payload = _load_token("confirm", token, CONFIRM_MAX_AGE, secret_key)
    if user.email_confirmed_at is None:
        with write_transaction():
            user.email_confirmed_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None. Exactly one scrypt check
    whatever the case (unknown email, deleted account, account without a password, wrong
    or right password), so the time taken does not tell which."""
    user = find_by_email(email)
    usable = user is not None and user.is_active and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if usable else _DUMMY_HASH, password)
    return user if usable and matches else None


def request_password_reset(email: str, reset_link: Link, *, secret_key: str) -> None:
    """Email a reset link valid for one hour, if an active account has this email."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    with write_transaction():
        url = reset_link(make_token("reset", user, secret_key=secret_key))
        queue_email_in(user.language, user.email, lambda: (
            _("Reset your password"),
            _("Hello %(name)s,\n\nOpen this link within one hour to choose a new "
              "password:\n\n%(url)s\n\nIf you did not ask for this, ignore this email; "
              "your password is unchanged.", name=user.display_name, url=url)))


def user_for_reset_token(token: str, *, secret_key: str) -> User:
    return _load_token("reset", token, RESET_MAX_AGE, secret_key)[0]


def reset_password(token: str, new_password: str, *, secret_key: str) -> User:
    """Set a new password from a reset link; the link then stops working."""
    user = user_for_reset_token(token, secret_key=secret_key)
    check_password_rules(new_password)
    password_hash = _hash(new_password)
    with write_transaction():
        user.password_hash = password_hash
        user.session_version = (user.session_version or 0) + 1
        if user.email_confirmed_at is None:  # they proved they read this inbox
            user.email_confirmed_at = utcnow()
        audit.record(user, "account.password_reset", "user", user.id)
    return user


def change_password(user: UserIdentity, *, current: str, new: str) -> User:
    """Set a new password; every session of `user` ends. Returns the changed `User` (a
    session that should go on logs in again with it)."""
    if not user.check_password(current):
        raise AccountError(_("Your current password is not correct."))
    check_password_rules(new)
    password_hash = _hash(new)
    with write_transaction():
        account = find_user(user.id)
        account.password_hash = password_hash
        account.session_version = (account.session_version or 0) + 1
    return account


def remember_language(user: UserIdentity, language: str) -> None:
    """Keep the display language the person picked on their account (any device, later
    visits); `language` is one the caller checked against the app's LANGUAGES."""
    with write_transaction():
        find_user(user.id).language = language


def forget_language(user: UserIdentity) -> None:
    """Follow the browser's language again (Accept-Language): no stored choice."""
    with write_transaction():
        find_user(user.id).language = None


def end_sessions(user: UserIdentity) -> None:
    """Log out everywhere: bump the session version, so every session and remember-me
    cookie issued to `user` so far is refused (accounts.web.load_user)."""
    with write_transaction():
        db.session.execute(update(User).where(User.id == user.id).values(
            session_version=func.coalesce(User.session_version, 0) + 1))


def request_email_change(user: UserIdentity, *, password: str, new_email: str,
                         confirm_link: Link, secret_key: str) -> None:
    """Send a link to the new address; the email changes only when it is opened."""
    if not user.check_password(password):
        raise AccountError(_("Your current password is not correct."))
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError(_("This is already your email address."))
    with write_transaction():
        if find_by_email(new_email) is None:
            token = make_token("change-email", user, secret_key=secret_key, email=new_email)
            url = confirm_link(token)
            queue_email_in(user.language, new_email, lambda: (
                _("Confirm your new email address"),
                _("Open this link within 7 days to use this address for your "
                  "account:\n\n%(url)s", url=url)))
        queue_email_in(user.language, user.email, lambda: (
            _("Email change requested"),
            _("Someone asked to change the email address of your account. If it was "
              "not you, change your password now.")))


def confirm_email_change(token: str, *, secret_key: str) -> User:
    user, payload = _load_token("change-email", token, CONFIRM_MAX_AGE, secret_key)
    new_email = payload.get("email", "")
    with write_transaction():
        if find_by_email(new_email) is not None:
            raise InvalidToken(_("This email address is already in use."))
        user.email = new_email
        user.email_confirmed_at = utcnow()
        audit.record(user, "account.email_changed", "user", user.id)
    return user


def delete_account(user: UserIdentity, *, password: str) -> None:
    """Remove personal data; rows that reference the user (votes, audit) stay, anonymous."""
    if not user.check_password(password):
        raise AccountError(_("Your current password is not correct."))
    if user.has_role(Role.ADMIN) and _admin_count() <= 1:
        raise AccountError(_("You are the last administrator; grant the role to someone "
                             "else first."))
    with write_transaction():
        user = find_user(user.id)
        erase_personal_data(user)  # each domain's hook (core/privacy.py), e.g. signatures
        user.email = None
        user.display_name = ""
        user.area = ""
        user.password_hash = ""
        user.email_confirmed_at = None
        user.deleted_at = utcnow()
        user.role_rows = []
        audit.record(user, "account.deleted", "user", user.id)


def set_area(user: UserIdentity, area: str, *, areas) -> None:
    """Say where you live: one of the city's `areas`, or "" for not saying."""
    area = area.strip()
    if area and area not in areas:
        raise AccountError(_("Choose one of the areas of the list."))
    with write_transaction():
        find_user(user.id).area = area


def _admin_count() -> int:
    query = (select(func.count()).select_from(UserRole).join(User)
             .where(UserRole.role == Role.ADMIN.value, User.deleted_at.is_(None)))
    return db.session.scalar(query) or 0


GRANTABLE_ROLES = tuple(r for r in Role if r is not Role.CITIZEN)


def set_role(admin: UserIdentity, user: User, role: str, *, granted: bool) -> bool:
    """Grant or revoke `role`; returns False if nothing changed. Writes the audit log."""
    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise AccountError(_("Unknown role."))
    if user.deleted_at is not None:
        raise AccountError(_("This account has been deleted."))
    if user.has_role(role) == granted:
        return False
    if not granted and role == Role.ADMIN and _admin_count() <= 1:
        raise AccountError(_("There must always be at least one administrator."))
    with write_transaction():
        if granted:
            user.role_rows.append(UserRole(role=role))
        else:
            user.role_rows = [row for row in user.role_rows if row.role != role]
        audit.record(admin, "role.granted" if granted else "role.revoked", "user", user.id,
                     role=role)
    return True
