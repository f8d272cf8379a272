"""The Method of Equal Shares (MES) with its completions add1 and add1u (README.md here).

Read :mod:`pb.rules.mes.reference` first: the rule in ~150 lines of exact Fractions and plain
loops. The fast implementation computes exactly the same (same selection, prices, payments;
tests/pb/test_mes_reference.py) and is laid out as:

* :mod:`~pb.rules.mes.rule` – :func:`mes` and :func:`~pb.rules.mes.rule.add1`, the
  completions' outer loop (README §2);
* :mod:`~pb.rules.mes.run` – one MES run, :func:`~pb.rules.mes.run.equal_shares_run`, and
  :mod:`~pb.rules.mes.prices`, which projects each round prices exactly;
* :mod:`~pb.rules.mes.budgets` – a run's budgets and prices: floats with error bounds, exact
  where they decide (README §3);
* :mod:`~pb.rules.mes.tables` – per-utility arrays and the float price walk;
* :mod:`~pb.rules.mes.stability`, :mod:`~pb.rules.mes.tracking`, :mod:`~pb.rules.mes.resume`,
  :mod:`~pb.rules.mes.tail` – how far add1 may skip ahead without rerunning (README §4);
* :mod:`~pb.rules.mes.disjoint` – add1 without runs when no voter supports two projects
  (README §4.4); :mod:`pb.single_choice`, the whole rule in closed form without numpy when
  no ballot lists two projects;
* :mod:`~pb.rules.mes.numeric` – the rational type, tolerance and error bounds (shared with
  Phragmén).
"""

from __future__ import annotations

from pb.rules.mes.rule import COMPLETIONS, VoterPayments, default_increment, mes

__all__ = ["COMPLETIONS", "VoterPayments", "default_increment", "mes"]
