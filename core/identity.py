"""Folding what people type into identity fields before it identifies them (pure).

docs/reliability.md §2b "Unicode": full-width letters are folded (NFKC) and invisible
characters removed, so `ｊｏｈｎ@example.org` and `jo\u200bhn@example.org` are the same person
as `john@example.org`. Used for account emails and for petition signers and areas.
"""
from __future__ import annotations

import unicodedata

# Zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def fold_invisible(text: str) -> str:
    """NFKC-normalised, invisible characters removed, surrounding white space trimmed.

    >>> fold_invisible(" ｊｏ\u200bｈｎ ")
    'john'
    """
    return unicodedata.normalize("NFKC", text).translate(INVISIBLE).strip()
