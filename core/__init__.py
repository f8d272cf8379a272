"""What every package shares: database, security, mail outbox, audit log, process framing."""
