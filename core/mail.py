"""Mail outbox: every email is a row, written in the caller's transaction, sent later.

`flask mail send` delivers pending rows through SMTP when MAIL_SERVER is set, else prints
them to the console. Tests read the outbox table.

An email the relay refuses (a non-ASCII address without SMTPUTF8, a rejected recipient) is
marked with the reason and retried later with a growing delay (RETRY_BASE doubled each time);
after MAX_ATTEMPTS it is given up (`failed_at`). It never stops the others from being sent.
"""
from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage

from flask_babel import force_locale, get_babel
from sqlalchemy import Integer, String, Text, bindparam, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, execute_core, utcnow, write_transaction


class OutboxEmail(db.Model):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at = mapped_column(UTCDateTime, nullable=True, index=True)
    # Failed deliveries: how many, the last reason, when to try again, when given up.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                          nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at = mapped_column(UTCDateTime, nullable=True)
    failed_at = mapped_column(UTCDateTime, nullable=True)


log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(minutes=5)  # then 10, 20, 40, 80 minutes
# Line breaks a header may not hold (email.policy refuses them; Unicode ones included).
_HEADER_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def queue_email(to: str, subject: str, body: str) -> None:
    """Add an email to the outbox in the current transaction (the caller commits): one
    INSERT statement on the connection, no ORM object or layer (it sits in the write paths,
    issue 13)."""
    execute_core(_QUEUE, {"to": to, "subject": subject, "body": body, "created_at": utcnow()})


_QUEUE = insert(OutboxEmail.__table__).values(
    to=bindparam("to"), subject=bindparam("subject"), body=bindparam("body"),
    created_at=bindparam("created_at"), attempts=0)


# Renders (subject, body) in whatever locale is active when it is called.
Render = Callable[[], tuple[str, str]]


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Translate, and format dates and numbers, in `language` inside the block; None keeps
    the current locale (the page's in a request, else the default)."""
    if not language:
        yield
        return
    with force_locale(language):
        yield


def default_language() -> str:
    """The app's default locale: for a recipient whose language nobody knows."""
    return str(get_babel().default_locale)


def render_in(language: str | None, render: Render) -> tuple[str, str]:
    with in_language(language):
        subject, body = render()
    return str(subject), str(body)


def queue_email_in(language: str | None, to: str, render: Render) -> None:
    """Queue an email written in the recipient's language (their account's, or for a
    recipient without one the language of the page they acted on; None: the current one)."""
    return queue_email(to, *render_in(language, render))


def pending_emails(limit: int = 500) -> list[OutboxEmail]:
    """Unsent emails due now (not given up, past their retry time), oldest first."""
    query = (select(OutboxEmail).where(
        OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
        OutboxEmail.next_attempt_at.is_(None) | (OutboxEmail.next_attempt_at <= utcnow()))
        .order_by(OutboxEmail.id).limit(limit))
    return list(db.session.scalars(query))


def _message(sender: str, email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = sender, email.to
    message["Subject"] = _HEADER_BREAKS.sub(" ", email.subject).strip()
    message.set_content(email.body)
    return message


def _reset(smtp) -> None:
    """End a refused mail transaction (RSET) before the next message."""
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        pass


def _record_failure(email: OutboxEmail, error: Exception) -> None:
    """Note the reason; retry after RETRY_BASE * 2**(attempts - 1), or give up."""
    now = utcnow()
    with write_transaction():
        email.attempts = (email.attempts or 0) + 1
        email.last_error = f"{type(error).__name__}: {error}"[:1000]
        if email.attempts >= MAX_ATTEMPTS:
            email.failed_at, email.next_attempt_at = now, None
        else:
            email.next_attempt_at = now + RETRY_BASE * 2 ** (email.attempts - 1)
    # The address stays out of the log (personal data); the row id finds it.
    log.warning("email %s not sent (attempt %s of %s): %s", email.id, email.attempts,
                MAX_ATTEMPTS, email.last_error)


def _flag(value, default: bool) -> bool:
    """Config flags may arrive as strings from the environment ("0", "false", "no")."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off")
    return bool(value)


def send_pending(config, *, echo: Callable[[str], None] = print, limit: int = 500) -> int:
    """Deliver pending emails (SMTP if MAIL_SERVER is set, else `echo`); returns the count.

    Each email is marked sent in its own short transaction right after delivery, so a crash
    mid-batch re-sends at most the one email that was in flight. An email the relay refuses
    is marked for a later retry and the batch goes on; if the connection itself fails, that
    email is marked too and the batch stops (the next run reconnects).
    """
    sender = config.get("MAIL_DEFAULT_SENDER") or "civic@localhost"
    server = config.get("MAIL_SERVER")
    smtp = None
    if server:
        port = int(config.get("MAIL_PORT") or 587)
        use_ssl = _flag(config.get("MAIL_USE_SSL"), False)
        smtp = (smtplib.SMTP_SSL if use_ssl else smtplib.SMTP)(server, port, timeout=30)
        if _flag(config.get("MAIL_USE_TLS"), True) and not use_ssl:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    sent = 0
    try:
        for email in pending_emails(limit):
            if smtp is not None:
                try:
                    smtp.send_message(_message(sender, email))
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
                    _record_failure(email, error)
                    smtp.close()
                    smtp = None  # the connection is gone: nothing to quit
                    break
                except (smtplib.SMTPException, ValueError, UnicodeError) as error:
                    _record_failure(email, error)  # this message only: go on
                    _reset(smtp)
                    continue
                except OSError as error:  # the connection broke (timeout, reset)
                    _record_failure(email, error)
                    smtp.close()
                    smtp = None
                    break
            else:
                echo(f"To: {email.to}\nSubject: {email.subject}\n\n{email.body}\n" + "-" * 60)
            with write_transaction():
                email.sent_at = utcnow()
            sent += 1
    finally:
        if smtp is not None:
            smtp.quit()
    return sent
