"""Polis's best-agree rule (docs/polis-math.md §7), checked on hand-built count tables.

When no statement passes the significance tests, a group is represented by its best-agree
statement alone, so the chosen tid shows which branch of the rule fired. Each table has two
groups × two statements: (agree, disagree, seen) counts per group and statement.
"""
from __future__ import annotations

import numpy as np

from deliberation.repness import Z90, group_statistics, representative_statements


def _best_agree(na, nd, ns) -> list[int]:
    na, nd, ns = (np.array(v) for v in (na, nd, ns))
    groups = representative_statements(na, nd, ns, tids=np.array([10, 11]),
                                       mod_out=np.zeros(2, dtype=bool))
    assert all(len(recs) == 1 and recs[0]["best-agree"] for recs in groups)
    return [recs[0]["tid"] for recs in groups]


def test_a_statement_the_group_only_passed_on_is_never_its_best_agree():
    # Group 1 passed twice on #11 (na = nd = 0); its repness product would beat #10's.
    na, nd, ns = [[1, 0], [5, 0]], [[0, 2], [0, 0]], [[1, 5], [6, 2]]
    assert _best_agree(na, nd, ns) == [10, 10]


def test_agreeing_more_than_the_rest_and_by_majority_qualifies_without_a_significant_test():
    # Group 0 on #10: 3 of 5 agree, p-test below Z90, but ra > 1 and pa > 0.5, so it becomes
    # best-agree first; #11 (4 of 4, significant p-test) then loses on the repness product
    # because nobody else disagrees with it (repness-test 0).
    na, nd, ns = [[3, 4], [1, 3]], [[2, 0], [0, 0]], [[5, 4], [3, 3]]
    stats = group_statistics(np.array(na), np.array(nd), np.array(ns))
    assert stats["pat"][0, 0] < Z90 and stats["ra"][0, 0] > 1 and stats["pa"][0, 0] > 0.5
    assert _best_agree(na, nd, ns) == [10, 11]


def test_against_a_best_agree_with_ra_at_most_1_only_pa_times_pat_is_compared():
    # Group 1's #10 (2 of 2 agree) has ra < 1 because the other group agrees even more; #11
    # would win on the full repness product (two negative tests) but not on pa · pat.
    na, nd, ns = [[5, 4], [2, 1]], [[0, 1], [0, 3]], [[5, 5], [2, 5]]
    stats = group_statistics(np.array(na), np.array(nd), np.array(ns))
    assert stats["ra"][1, 0] <= 1
    assert _best_agree(na, nd, ns) == [11, 10]
