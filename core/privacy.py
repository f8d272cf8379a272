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

from collections.abc import Callable

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
