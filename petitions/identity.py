"""Signer identity rules (pure): canonical email, email domain, area codes, rate limits.

docs/reliability.md §2b "Email canonicalisation" and "Unicode"; §2d rate limits.

Dots: we strip dots from the local part **only for gmail.com / googlemail.com**, where Google
ignores them. EP strips dots for every provider, which merges distinct people at providers
where `a.b@` and `ab@` are different mailboxes; `+tag` is stripped everywhere because nearly
every provider treats it as a sub-address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.identity import fold_invisible

DOT_BLIND_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Full stops that mean "." in a domain (UTS #46, as browsers and mail clients treat them):
# ideographic, full-width and half-width ideographic.
FULL_STOPS = str.maketrans(dict.fromkeys("\u3002\uff0e\uff61", "."))


def canonical_email(email: str) -> str:
    """The key for "one signature per person": NFKC, no zero-width, lower-case, no +tag;
    。．｡ are dots, and an internationalised domain is written in its xn-- (IDNA) form.

    >>> canonical_email("Foo.Bar+news@GoogleMail.com")
    'foobar@gmail.com'
    >>> canonical_email("ana@Bücher\u3002example")
    'ana@xn--bcher-kva.example'
    """
    if not isinstance(email, str):
        raise ValueError("email must be a string")
    text = fold_invisible(email).translate(FULL_STOPS).lower()
    if CONTROL_CHARACTERS.search(text) or text.count("@") != 1:
        raise ValueError("not a single email address")
    local, domain = text.split("@")
    local = local.split("+", 1)[0]
    labels = []
    for label in domain.split("."):
        try:  # IDNA 2003 per label, as Python's codec; a label it refuses stays as typed
            labels.append(label if label.isascii() else label.encode("idna").decode("ascii"))
        except UnicodeError:
            labels.append(label)
    domain = ".".join(labels)
    if domain in DOT_BLIND_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    if not local or not domain:
        raise ValueError("not a single email address")
    return f"{local}@{domain}"


def email_domain(canonical: str) -> str:
    """The domain part of a canonical email (used for per-domain limits and trending)."""
    return canonical.rsplit("@", 1)[1]


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
