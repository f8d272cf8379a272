"""Shared by the budget tests: the clock, the demo projects and a ballot count."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from core.db import db as _db
from pb.models import Ballot

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
PROJECTS = [("1", "Benches by the river", 4000, "parks"), ("2", "Cycle lane", 3000, "streets"),
            ("3", "Library Sundays", 2000, "culture"), ("4", "Repair café", 1000, "culture")]


def ballots(process_id) -> int:
    """How many ballots the process has stored now."""
    _db.session.expire_all()
    return _db.session.scalar(select(func.count(Ballot.id)).where(
        Ballot.process_id == process_id))
