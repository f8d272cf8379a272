"""Representative statements, consensus, group votes, GAC, priorities (docs/polis-math.md §7–§10).

Counts are vectorised over (group × statement) with sparse indicator products; only the
per-group selection walk (the order-dependent best-agree rule) is a Python loop.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

Z90 = 1.2816
PICK_MAX = 5
META_PRIORITY = 49.0


def vote_counts(votes: sp.csr_array, membership: sp.csr_array) -> tuple[np.ndarray, ...]:
    """(agree, disagree, seen) counts per (group, statement), internal sign (agree < 0).

    ``membership`` is a (n_groups × n_rows) 0/1 matrix; ``votes`` stores voted cells.
    """
    agree = votes.copy()
    agree.data = (votes.data < 0).astype(np.float64)
    disagree = votes.copy()
    disagree.data = (votes.data > 0).astype(np.float64)
    seen = votes.copy()
    seen.data = np.ones_like(votes.data, dtype=np.float64)
    return tuple(np.asarray((membership @ m).toarray()).round().astype(np.int64)
                 for m in (agree, disagree, seen))


def membership_matrix(labels: np.ndarray, n_groups: int) -> sp.csr_array:
    """0/1 (n_groups × n_rows) from per-row group labels; label −1 means 'in no group'."""
    rows = np.flatnonzero(labels >= 0)
    return sp.csr_array((np.ones(len(rows)), (labels[rows], rows)),
                        shape=(n_groups, len(labels)))


def prop_test(successes, trials):
    """One-proportion z vs 0.5 with +1 pseudocounts (§7)."""
    return 2.0 * np.sqrt(trials + 1.0) * ((successes + 1.0) / (trials + 1.0) - 0.5)


def two_prop_test(s1, s2, n1, n2):
    """Two-proportion z with +1 on all four counts; 0 when the pooled p is 1 (§7)."""
    s1, s2, n1, n2 = (np.asarray(v, dtype=np.float64) + 1.0 for v in (s1, s2, n1, n2))
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    var = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / np.sqrt(var)
    return np.where(pooled == 1.0, 0.0, z)


def group_statistics(na, nd, ns):
    """All §7 statistics for every (group, statement); inputs are (n_groups, n_cmts) ints."""
    rest_na, rest_nd, rest_ns = (v.sum(axis=0, keepdims=True) - v for v in (na, nd, ns))
    pa, pd = (na + 1.0) / (ns + 2.0), (nd + 1.0) / (ns + 2.0)
    return {
        "na": na, "nd": nd, "ns": ns, "pa": pa, "pd": pd,
        "pat": prop_test(na, ns), "pdt": prop_test(nd, ns),
        "ra": pa / ((rest_na + 1.0) / (rest_ns + 2.0)),
        "rd": pd / ((rest_nd + 1.0) / (rest_ns + 2.0)),
        "rat": two_prop_test(na, rest_na, ns, rest_ns),
        "rdt": two_prop_test(nd, rest_nd, ns, rest_ns),
    }


def _record(s, j, tid, *, agree: bool, best_agree: bool = False) -> dict:
    key = ("na", "pa", "pat", "ra", "rat") if agree else ("nd", "pd", "pdt", "rd", "rdt")
    rec = {"tid": int(tid), "n-success": int(s[key[0]][j]), "n-trials": int(s["ns"][j]),
           "p-success": float(s[key[1]][j]), "p-test": float(s[key[2]][j]),
           "repness": float(s[key[3]][j]), "repness-test": float(s[key[4]][j]),
           "repful-for": "agree" if agree else "disagree"}
    if best_agree:
        rec["n-agree"] = int(s["na"][j])
        rec["best-agree"] = True
    return rec


def _metric(rec: dict) -> float:
    return rec["repness"] * rec["repness-test"] * rec["p-success"] * rec["p-test"]


def _beats_best_agree(s, j, best) -> bool:
    if s["na"][j] == 0 and s["nd"][j] == 0:
        return False
    if best is not None and s["ra"][best] > 1.0:
        return (s["ra"][j] * s["rat"][j] * s["pa"][j] * s["pat"][j]
                > s["ra"][best] * s["rat"][best] * s["pa"][best] * s["pat"][best])
    if best is not None:
        return s["pa"][j] * s["pat"][j] > s["pa"][best] * s["pat"][best]
    return bool(s["pat"][j] > Z90 or (s["ra"][j] > 1.0 and s["pa"][j] > 0.5))


def select_representative(stats_g: dict, tids: np.ndarray, mod_out: np.ndarray) -> list[dict]:
    """Polis ``select-rep-comments`` for one group (§7): best-agree first, ≤ 5, agrees first."""
    s = stats_g
    passes = ((s["rat"] > Z90) & (s["pat"] > Z90)) | ((s["rdt"] > Z90) & (s["pdt"] > Z90))
    sufficient: list[int] = []
    best = best_agree = None
    for j in np.flatnonzero(~mod_out):
        if passes[j]:
            sufficient.append(j)
        elif not sufficient and (best is None or max(s["rat"][j], s["rdt"][j])
                                 > max(s["rat"][best], s["rdt"][best])):
            best = j
        if _beats_best_agree(s, j, best_agree):
            best_agree = j
    if not sufficient:
        if best_agree is not None:
            return [_record(s, best_agree, tids[best_agree], agree=True, best_agree=True)]
        if best is not None:
            return [_record(s, best, tids[best], agree=bool(s["rat"][best] > s["rdt"][best]))]
        return []
    recs = [_record(s, j, tids[j], agree=bool(s["rat"][j] > s["rdt"][j]))
            for j in sufficient if j != best_agree]
    recs.sort(key=_metric, reverse=True)
    if best_agree is not None:
        recs.insert(0, _record(s, best_agree, tids[best_agree], agree=True, best_agree=True))
    recs = recs[:PICK_MAX]
    return ([r for r in recs if r["repful-for"] == "agree"]
            + [r for r in recs if r["repful-for"] == "disagree"])


def representative_statements(na, nd, ns, *, tids, mod_out) -> list[list[dict]]:
    """Repness records per group (§7); ``na/nd/ns`` (n_groups, n_cmts) over in-conv members."""
    stats = group_statistics(na, nd, ns)
    return [select_representative({k: v[g] for k, v in stats.items()}, tids, mod_out)
            for g in range(na.shape[0])]


def consensus_statements(na, nd, ns, *, tids, mod_out) -> dict:
    """Majority statements over all participants (§8); inputs are (n_cmts,) counts."""
    out = {}
    for name, n in (("agree", na), ("disagree", nd)):
        p = (n + 1.0) / (ns + 2.0)
        test = prop_test(n, ns)
        ok = np.flatnonzero((p > 0.5) & (test > Z90) & ~mod_out)
        order = ok[np.argsort(-(p[ok] * test[ok]), kind="stable")][:PICK_MAX]
        out[name] = [{"tid": int(tids[j]), "n-success": int(n[j]), "n-trials": int(ns[j]),
                      "p-success": float(p[j]), "p-test": float(test[j])} for j in order]
    return out


def group_aware_consensus(group_agree: np.ndarray, group_seen: np.ndarray) -> np.ndarray:
    """GAC[j] = Π_g (A_gj + 1)/(S_gj + 2) over the raw matrix's group votes (§9)."""
    return np.prod((group_agree + 1.0) / (group_seen + 2.0), axis=0)


def comment_priorities(group_agree, group_disagree, group_seen, *, extremity, meta) -> np.ndarray:
    """Routing priority of each statement (§10); meta statements get 7² = 49."""
    a, d, s = (np.asarray(v).sum(axis=0).astype(np.float64)
               for v in (group_agree, group_disagree, group_seen))
    passes = s - (a + d)
    importance = (1.0 - (passes + 1.0) / (s + 2.0)) * (extremity + 1.0) * (a + 1.0) / (s + 2.0)
    priority = (importance * (1.0 + 8.0 * 2.0 ** (-s / 5.0))) ** 2
    return np.where(meta, META_PRIORITY, priority)
