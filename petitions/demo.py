"""Demo petitions for `flask seed-demo` (filled in by the petitions feature)."""


def seed(users, now) -> None:
    """Create demo petition schemes and petitions (idempotent)."""
