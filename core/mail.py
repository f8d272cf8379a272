"""Mail outbox: every email is a row, written in the caller's transaction, sent later.

`flask mail send` delivers pending rows through SMTP when MAIL_SERVER is set, else prints
them to the console. Tests read the outbox table.
"""
from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow


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
