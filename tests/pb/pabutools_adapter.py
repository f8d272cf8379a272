"""The pabutools 1.2.3 side of the reference checks: our rule names as pabutools calls.

Used by tests/pb (live and random comparisons) and by bench/ (reference outcomes and
timings), which imports it from here. The mapping is the one in issue 4 / docs/pb-rules.md §2.
pabutools is a GPL test oracle only: nothing in ``pb`` imports this.
"""
from __future__ import annotations

import time
from pathlib import Path


def _sat_classes():
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        Cardinality_Sat,
        Cost_Sat,
    )
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction

    def points_times_cost(instance, profile, ballot, project, precomputed):
        return ballot.get(project, 0) * project.cost

    def borda_times_cost(instance, profile, ballot, project, precomputed):
        order = list(ballot)
        if project not in order:
            return 0
        return (len(order) - order.index(project) - 1) * project.cost

    class PointsTimesCostSat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, points_times_cost)

    class BordaTimesCostSat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, borda_times_cost)

    mes = {
        "cost": Cost_Sat,
        "cardinality": Cardinality_Sat,
        "points": Additive_Cardinal_Sat,
        "borda": Additive_Borda_Sat,
    }
    greedy = {
        "approval": Cost_Sat,
        "choose-1": Cost_Sat,
        "cumulative": PointsTimesCostSat,
        "scoring": PointsTimesCostSat,
        "ordinal": BordaTimesCostSat,
    }
    return mes, greedy


def run_pabutools(path: Path, rule: str, utility, completion, tie_break: str,
                  multiprofile: bool = False):
    """Compute one outcome with pabutools; returns (selected ids, seconds).

    With ``multiprofile`` the ballots are merged into pabutools' MultiProfile (identical
    ballots counted once with a multiplicity), which pabutools' rules accept with the same
    meaning; on Wrocław 2015 (108,499 one-project ballots, 220 distinct) it is what lets
    MES + add1u finish within the limit.
    """
    from pabutools.election import parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )
    from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

    instance, profile = parse_pabulib(str(path))
    if multiprofile:
        profile = profile.as_multiprofile()
    vote_type = instance.meta["vote_type"]
    mes_sats, greedy_sats = _sat_classes()
    if tie_break == "lexico":
        tie = lexico_tie_breaking
    else:
        approvers = {p.name: 0 for p in instance}
        for ballot in profile:
            for p in ballot:
                approvers[p.name] += 1
        tie = TieBreakingRule(lambda inst, prof, p: (-approvers[p.name], p.cost, p.name))
    start = time.perf_counter()
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(
            instance, profile, sat_class=greedy_sats[vote_type], tie_breaking=tie
        )
    elif rule == "phragmen":
        outcome = sequential_phragmen(instance, profile, tie_breaking=tie)
    elif completion == "none":
        outcome = method_of_equal_shares(
            instance, profile, sat_class=mes_sats[utility], tie_breaking=tie
        )
    elif completion == "add1u":
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [
                {"sat_class": mes_sats[utility], "voter_budget_increment": 1,
                 "tie_breaking": tie},
                {"sat_class": greedy_sats[vote_type], "tie_breaking": tie},
            ],
        )
    elif completion == "add1":
        outcome = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": mes_sats[utility], "tie_breaking": tie},
            exhaustive_stop=False,
            budget_step=profile.num_ballots(),
        )
    else:
        raise ValueError(completion)
    seconds = time.perf_counter() - start
    return sorted(p.name for p in outcome), sum(p.cost for p in outcome), seconds
