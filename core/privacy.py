"""Erasure hooks: what each domain forgets when an account is deleted (docs/reliability.md §2e).

accounts knows no domain package. Each domain registers a hook in `create_app`
(`register_erasure(petitions.privacy.forget_user)`); `accounts.service.delete_account` calls
:func:`erase_personal_data` inside its transaction, before it blanks the user's own row, so a
hook can still read the user's email. Ballots and votes plug in the same way.

>>> hooks, seen = ErasureHooks(), []
>>> def remember(user):
...     seen.append(user)
>>> for _ in range(2):  # registering again changes nothing
...     _ = hooks.register(remember)
>>> hooks.erase("someone"); seen
['someone']
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from core.identity import canonical_email

ErasureHook = Callable[[object], None]


class ErasureHooks:
    """Hooks keyed by module and name, so that a second create_app (tests build many)
    registers nothing twice."""

    def __init__(self) -> None:
        self._hooks: dict[str, ErasureHook] = {}

    def register(self, hook: ErasureHook) -> ErasureHook:
        self._hooks[f"{hook.__module__}.{hook.__qualname__}"] = hook
        return hook

    def erase(self, user) -> None:
        """Run every hook for `user`, in registration order, in the caller's transaction
        (a hook that raises aborts the deletion)."""
        for hook in list(self._hooks.values()):
            hook(user)


_HOOKS = ErasureHooks()


def register_erasure(hook: ErasureHook) -> ErasureHook:
    """Call `hook(user)` whenever an account is deleted; registering twice is harmless."""
    return _HOOKS.register(hook)


def erase_personal_data(user) -> None:
    """Run every registered hook for `user` (see :class:`ErasureHooks.erase`)."""
    _HOOKS.erase(user)


def mailbox_key(secret: str | bytes, purpose: str, email: str | None) -> str | None:
    """HMAC-SHA256 (hex, 64 characters) of the canonical form of `email` under the app's
    `secret`, separate per `purpose` ("ballot", "participant"); None for no usable address.

    What an erased ballot or participant keeps of its person: it names nobody, yet the same
    mailbox (or an equivalent spelling: ``。`` for ``.``, an IDNA domain and its ``xn--`` form)
    meets it again after registering anew. Rotating the secret breaks that link.

    >>> a = mailbox_key("s", "ballot", "Ana@Bücher\u3002example")
    >>> a == mailbox_key("s", "ballot", "ana@xn--bcher-kva.example") and len(a)
    64
    >>> a == mailbox_key("s", "participant", "ana@xn--bcher-kva.example")
    False
    >>> mailbox_key("s", "ballot", None) is None
    True
    """
    try:
        canonical = canonical_email(email or "")
    except ValueError:
        return None
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"{purpose}:{canonical}".encode(), hashlib.sha256).hexdigest()
