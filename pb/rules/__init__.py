"""PB outcome rules: one signature, one outcome type, one registry (docs/pb-rules.md §2).

Every rule is ``rule(instance, profile, *, tie_break="lexico", **options) -> Outcome``:

>>> from pb.rules import RULES
>>> sorted(RULES)
['greedy', 'mes', 'phragmen']
"""

from __future__ import annotations

from pb.rules.greedy import greedy
from pb.rules.mes import COMPLETIONS, mes
from pb.rules.outcome import Outcome
from pb.rules.phragmen import phragmen
from pb.rules.profile_arrays import TIE_BREAKS, UTILITIES, ProfileArrays, profile_arrays

RULES = {"greedy": greedy, "mes": mes, "phragmen": phragmen}

__all__ = [
    "COMPLETIONS",
    "RULES",
    "TIE_BREAKS",
    "UTILITIES",
    "Outcome",
    "ProfileArrays",
    "greedy",
    "mes",
    "phragmen",
    "profile_arrays",
]
