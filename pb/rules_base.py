"""What every PB rule shares and what starts without numpy: option names and the outcome type.

The numpy rules (:mod:`pb.rules`) and the numpy-free single-choice MES
(:mod:`pb.single_choice`) both build on this, so that ``python -m pb outcome`` on a
single-choice election imports no numpy (docs/pb-rules.md §2).
"""

from __future__ import annotations

from collections.abc import Mapping

from pb.instance import Frozen, Money

UTILITIES = ("cost", "cardinality", "points", "borda")
TIE_BREAKS = ("lexico", "maxvotes-mincost")
COMPLETIONS = ("none", "add1u", "add1")
RULE_NAMES = ("greedy", "mes", "phragmen")


class Outcome(Frozen):
    """Selected projects (in the order the rule bought them), their exact total cost, and
    per-rule explanation data for the results page.

    ``explanation`` always has ``covered_share`` (Fraction: share of voters with at least one
    funded project on their ballot); MES adds ``rho`` (project id → price per unit of utility),
    ``paid`` (one exact amount per voter, profile order) and completion details.
    """

    _fields = ("rule", "selected", "cost", "explanation")

    def __init__(self, rule: str, selected: tuple[str, ...], cost: Money,
                 explanation: Mapping[str, object] | None = None):
        set_field = object.__setattr__
        set_field(self, "rule", rule)
        set_field(self, "selected", selected)
        set_field(self, "cost", cost)
        set_field(self, "explanation", {} if explanation is None else explanation)

    @property
    def selected_sorted(self) -> list[str]:
        """Selected ids sorted as strings (the CLI's ``--json`` order)."""
        return sorted(self.selected)
