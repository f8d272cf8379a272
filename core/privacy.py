"""Erasure hooks: what each domain forgets when an account is deleted (docs/reliability.md §2e).

accounts knows no domain package. Each domain registers a hook in `create_app`
(`register_erasure(petitions.privacy.forget_user)`); `accounts.service.delete_account` calls
:func:`erase_personal_data` inside its transaction, before it blanks the user's own row, so a
hook can still read the user's email. Ballots and votes plug in the same way.

>>> seen = []
>>> def remember(user):
...     seen.append(user)
>>> for _ in range(2):  # registering again changes nothing
...     _ = register_erasure(remember)
>>> erase_personal_data("someone"); seen
['someone']
>>> unregister_erasure(remember)
"""
from __future__ import annotations

from collections.abc import Callable

ErasureHook = Callable[[object], None]

# Keyed by module and name, so that a second create_app (tests build many) changes nothing.
_HOOKS: dict[str, ErasureHook] = {}


def _key(hook: ErasureHook) -> str:
    return f"{hook.__module__}.{hook.__qualname__}"


def register_erasure(hook: ErasureHook) -> ErasureHook:
    """Call `hook(user)` whenever an account is deleted; registering twice is harmless."""
    _HOOKS[_key(hook)] = hook
    return hook


def unregister_erasure(hook: ErasureHook) -> None:
    _HOOKS.pop(_key(hook), None)


def erase_personal_data(user) -> None:
    """Run every registered hook for `user`, in registration order, in the caller's
    transaction (a hook that raises aborts the deletion)."""
    for hook in list(_HOOKS.values()):
        hook(user)
