"""Trending IPs and email domains (pure): which counts to log and which to alert on.

After EP's hourly `trending_ips` / `trending_domains` jobs (docs/civic-platforms.md §1
"Anti-fraud"; docs/reliability.md §2d): signatures per petition and IP (or email domain) in
the last hour; at `log_at` the item is logged, at `notify_at` moderators are emailed, at most
once per (petition, ip/domain, hour). The database query and the emails live in
moderation.report_trending; this module only decides.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


class Level(enum.StrEnum):
    LOG = "log"
    NOTIFY = "notify"


@dataclass(frozen=True)
class TrendingItem:
    """`count` signatures on `petition_id` from one IP (`kind` "ip") or domain ("domain")."""

    petition_id: int
    kind: str
    value: str
    count: int


def hour_of(now: datetime) -> datetime:
    """The start of the hour `now` falls in: the unit of "at most once per hour"."""
    return now.replace(minute=0, second=0, microsecond=0)


def classify(items: list[TrendingItem], *, log_at: int,
             notify_at: int) -> list[tuple[TrendingItem, Level]]:
    """Items at or over `log_at`, each with LOG or NOTIFY (≥ `notify_at`), largest first.

    >>> [(i.value, str(level)) for i, level in classify(
    ...     [TrendingItem(1, "ip", "203.0.113.5", 250)], log_at=100, notify_at=200)]
    [('203.0.113.5', 'notify')]
    """
    if not 1 <= log_at <= notify_at:
        raise ValueError("need 1 <= log_at <= notify_at")
    ranked = sorted(items, key=lambda i: (-i.count, i.petition_id, i.kind, i.value))
    return [(item, Level.NOTIFY if item.count >= notify_at else Level.LOG)
            for item in ranked if item.count >= log_at]
