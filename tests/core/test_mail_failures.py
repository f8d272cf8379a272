"""One email that cannot be sent never blocks the outbox (issue 13, finding 3): it is marked
with its reason and retried with backoff, then given up; everything else is delivered.

Delivered through a real SMTP relay on localhost (aiosmtpd) that does not offer SMTPUTF8."""
from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine

from core.db import db, utcnow
from core.mail import MAX_ATTEMPTS, queue_email, send_pending

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Relay:
    """Collects what the relay accepted: (recipients, raw message)."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    @property
    def recipients(self) -> list[str]:
        return [to for tos, _content in self.received for to in tos]


@pytest.fixture
def relay():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Relay()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port,
                                                enable_SMTPUTF8=False)
    controller.start()
    handler.config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
                      "MAIL_USE_TLS": "0", "MAIL_DEFAULT_SENDER": "civic@example.org"}
    yield handler
    controller.stop()


def test_a_non_ascii_local_part_does_not_block_the_others(app, relay, outbox):
    queue_email("first@example.org", "First", "Hello")
    queue_email("jöhn@example.org", "Confirm your signature", "Hello")
    queue_email("reset@example.org", "Reset your password", "Hello")
    db.session.commit()

    assert send_pending(relay.config, echo=lambda line: None) == 2
    assert relay.recipients == ["first@example.org", "reset@example.org"]
    bad = outbox(to="jöhn@example.org")[0]
    assert bad.sent_at is None and bad.attempts == 1
    assert "SMTPUTF8" in bad.last_error
    assert bad.next_attempt_at > utcnow()

    # The next run does not try it again before its backoff has passed.
    assert send_pending(relay.config, echo=lambda line: None) == 0
    assert outbox(to="jöhn@example.org")[0].attempts == 1


def test_a_line_separator_in_the_subject_is_folded_and_sent(app, relay, outbox):
    queue_email("a@example.org", "Confirm your signature on “Parks\u2028and\u2029trees\x85”",
                "Hello")
    queue_email("b@example.org", "Second", "Hello")
    db.session.commit()
    assert send_pending(relay.config, echo=lambda line: None) == 2
    assert relay.recipients == ["a@example.org", "b@example.org"]
    assert all(e.sent_at is not None for e in outbox())


def test_failures_are_retried_with_backoff_and_then_given_up(app, relay, outbox):
    queue_email("jöhn@example.org", "Hi", "Hello")
    db.session.commit()
    now = utcnow()
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with time_machine.travel(now, tick=False):
            assert send_pending(relay.config, echo=lambda line: None) == 0
        db.session.expire_all()
        [email] = outbox()
        assert email.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert email.failed_at is None
            delays.append(email.next_attempt_at - now)
            now = email.next_attempt_at + timedelta(seconds=1)
        else:
            assert email.failed_at is not None and "SMTPUTF8" in email.last_error
    assert delays == sorted(delays) and delays[0] < delays[-1]  # growing backoff
    with time_machine.travel(now + timedelta(days=30), tick=False):
        assert send_pending(relay.config, echo=lambda line: None) == 0
    assert outbox()[0].attempts == MAX_ATTEMPTS  # given up: never tried again


def test_the_cli_reports_failures_and_exits_normally(app, runner, relay, outbox):
    app.config.update(relay.config)
    queue_email("jöhn@example.org", "Hi", "Hello")
    queue_email("ok@example.org", "Hi", "Hello")
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 email(s) sent." in result.output
    assert relay.recipients == ["ok@example.org"]
