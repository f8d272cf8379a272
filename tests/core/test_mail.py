"""`flask mail send` delivers the outbox: console without MAIL_SERVER, SMTP with it."""
from __future__ import annotations

from core.db import db
from core.mail import queue_email


def queue_two():
    queue_email("a@example.org", "First", "Hello A")
    queue_email("b@example.org", "Second", "Hello B")
    db.session.commit()


def test_without_mail_server_emails_are_printed_and_marked_sent(runner, outbox):
    queue_two()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "To: a@example.org" in result.output and "Hello B" in result.output
    assert "2 email(s) sent." in result.output
    assert all(e.sent_at is not None for e in outbox())
    again = runner.invoke(args=["mail", "send"])
    assert "0 email(s) sent." in again.output


class FakeSMTP:
    instances: list = []

    def __init__(self, host, port, timeout):
        self.host, self.port, self.sent, self.calls = host, port, [], []
        FakeSMTP.instances.append(self)

    def starttls(self):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.sent.append(message)

    def quit(self):
        self.calls.append("quit")


def test_with_mail_server_emails_go_through_smtp(app, runner, outbox, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_PORT="2525", MAIL_USERNAME="civic",
                      MAIL_PASSWORD="pw", MAIL_DEFAULT_SENDER="Civic <civic@example.org>")
    queue_two()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    [smtp] = FakeSMTP.instances
    assert (smtp.host, smtp.port) == ("smtp.example.org", 2525)
    assert smtp.calls == ["starttls", ("login", "civic", "pw"), "quit"]
    assert [(m["To"], m["Subject"], m["From"]) for m in smtp.sent] == [
        ("a@example.org", "First", "Civic <civic@example.org>"),
        ("b@example.org", "Second", "Civic <civic@example.org>")]
    assert "Hello A" not in result.output  # not printed when really sent
    assert all(e.sent_at is not None for e in outbox())
