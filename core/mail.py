"""Mail outbox: every email is a row, written in the caller's transaction, sent later.

`flask mail send` delivers pending rows through SMTP when MAIL_SERVER is set, else prints
them to the console. Tests read the outbox table.
"""
from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow, write_transaction


class OutboxEmail(db.Model):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at = mapped_column(UTCDateTime, nullable=True, index=True)


def queue_email(to: str, subject: str, body: str) -> OutboxEmail:
    """Add an email to the outbox in the current transaction (the caller commits)."""
    email = OutboxEmail(to=to, subject=subject, body=body)
    db.session.add(email)
    return email


def pending_emails(limit: int = 500) -> list[OutboxEmail]:
    """Unsent emails, oldest first."""
    query = (select(OutboxEmail).where(OutboxEmail.sent_at.is_(None))
             .order_by(OutboxEmail.id).limit(limit))
    return list(db.session.scalars(query))


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
    mid-batch re-sends at most the one email that was in flight.
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
                message = EmailMessage()
                message["From"], message["To"] = sender, email.to
                message["Subject"] = email.subject
                message.set_content(email.body)
                smtp.send_message(message)
            else:
                echo(f"To: {email.to}\nSubject: {email.subject}\n\n{email.body}\n" + "-" * 60)
            with write_transaction():
                email.sent_at = utcnow()
            sent += 1
    finally:
        if smtp is not None:
            smtp.quit()
    return sent
