"""Signer identity rules (pure): area codes and signing rate limits.

docs/reliability.md §2b "Unicode"; §2d rate limits. The canonical email that identifies a
signer is shared with accounts and lives in core/identity.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.identity import fold_invisible


def area_code(raw: str | None, *, kind: str) -> str | None:
    """The area we keep after anonymisation and publish in exports.

    kind "district": the chosen district as is; "postcode": the outward code (UK style: all
    but the last three characters), so a full postcode is never published; "none": None.
    """
    if kind not in ("none", "district", "postcode"):
        raise ValueError(f"unknown area kind {kind!r}")
    if kind == "none" or not raw:
        return None
    text = fold_invisible(raw)
    if kind == "district":
        return text[:80] or None
    compact = re.sub(r"\s+", "", text.upper())
    return (compact[:-3] if len(compact) >= 5 else compact)[:10] or None


@dataclass(frozen=True)
class SigningLimits:
    """Per-IP and per-domain signing limits for one petition (EP defaults for IPs).

    Over a limit the signature is stored as fraudulent and not counted (§2d).
    """

    ip_burst: int = 1
    ip_burst_seconds: int = 60
    ip_sustained: int = 5
    ip_sustained_seconds: int = 300
    domain_per_hour: int = 200
    exempt_domains: frozenset[str] = frozenset({"gmail.com", "outlook.com", "hotmail.com",
                                                "yahoo.com", "icloud.com"})


def over_limit(*, limits: SigningLimits, ip_recent_burst: int, ip_recent_sustained: int,
               domain_recent_hour: int, domain: str) -> bool:
    """True when this signature (not yet counted in the recent numbers) breaks a limit."""
    if ip_recent_burst >= limits.ip_burst or ip_recent_sustained >= limits.ip_sustained:
        return True
    return domain not in limits.exempt_domains and domain_recent_hour >= limits.domain_per_hour
