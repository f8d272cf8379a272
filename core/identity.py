"""Folding what people type into identity fields before it identifies them (pure).

docs/reliability.md §2b "Unicode": full-width letters are folded (NFKC) and invisible
characters removed, so `ｊｏｈｎ@example.org` and `jo\u200bhn@example.org` are the same person
as `john@example.org`. Used for account emails and for petition signers and areas.

Canonical email (§2b "Email canonicalisation"): we strip dots from the local part **only for
gmail.com / googlemail.com**, where Google ignores them. EP strips dots for every provider,
which merges distinct people at providers where `a.b@` and `ab@` are different mailboxes;
`+tag` is stripped everywhere because nearly every provider treats it as a sub-address.
"""
from __future__ import annotations

import re
import unicodedata

# Zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
DOT_BLIND_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Full stops that mean "." in a domain (UTS #46, as browsers and mail clients treat them):
# ideographic, full-width and half-width ideographic.
FULL_STOPS = str.maketrans(dict.fromkeys("\u3002\uff0e\uff61", "."))


def fold_invisible(text: str) -> str:
    """NFKC-normalised, invisible characters removed, surrounding white space trimmed.

    >>> fold_invisible(" ｊｏ\u200bｈｎ ")
    'john'
    """
    return unicodedata.normalize("NFKC", text).translate(INVISIBLE).strip()


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
