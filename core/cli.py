"""Flask CLI commands that span packages (`flask seed-demo`, `flask mail send`)."""
from __future__ import annotations

import click


def register_cli(app) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo users and processes (idempotent)."""
        click.echo("seed-demo: nothing to seed yet")
