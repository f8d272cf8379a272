"""State machines as data: one transition table per process, checked in one place.

A table maps each state to the frozenset of states it may move to (ARCHITECTURE.md
"Explicit state machines"). Petitions, budgets and conversations all use these helpers, and
guarded SQL updates build their ``WHERE state IN (...)`` from :func:`sources`, so the table is
the single source of truth.

>>> table = {"draft": frozenset({"open"}), "open": frozenset({"closed"}), "closed": frozenset()}
>>> check_transition(table, "draft", "open")
>>> sorted(sources(table, "closed"))
['open']
>>> check_transition(table, "draft", "closed")
Traceback (most recent call last):
...
core.states.InvalidTransition: cannot go from draft to closed
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping

TransitionTable = Mapping[Hashable, frozenset]


class InvalidTransition(ValueError):
    """A transition the table does not allow; names the current state and the target."""

    def __init__(self, current, target):
        super().__init__(f"cannot go from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(table: TransitionTable, current, target) -> bool:
    """True when ``current → target`` is in ``table``."""
    return target in table.get(current, frozenset())


def check_transition(table: TransitionTable, current, target) -> None:
    """Raise :class:`InvalidTransition` unless ``current → target`` is in ``table``."""
    if not can_transition(table, current, target):
        raise InvalidTransition(current, target)


def sources(table: TransitionTable, target) -> frozenset:
    """Every state from which ``target`` may be reached in one step."""
    return frozenset(state for state, targets in table.items() if target in targets)


def may_move_to(column, table: TransitionTable, target):
    """The WHERE condition of a guarded UPDATE to ``target``: ``column IN sources(...)``.

    ``column`` is any SQL column expression with ``.in_()`` (this module imports no
    SQLAlchemy); the states are sorted so the SQL text is the same on every run.
    """
    allowed = sorted(sources(table, target), key=str)
    if not allowed:
        raise InvalidTransition("any state", target)
    return column.in_(allowed)
