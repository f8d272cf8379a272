"""The EJR-up-to-one check of the results page (pb/ejr.py) against pabutools'
``is_EJR_one_approval`` with cost satisfaction on small random elections, against a brute
force over groups of voters for the paper's strict definition, and its bounded mode."""
from __future__ import annotations

import random
from fractions import Fraction
from itertools import chain, combinations

import numpy as np
import pytest

from pb.ejr import check_ejr_up_to_one


def _arrays(ballots):
    rows = [r for r, ballot in enumerate(ballots) for _ in ballot]
    projects = [p for ballot in ballots for p in ballot]
    return dict(entry_row=np.array(rows, dtype=np.int64),
                entry_project=np.array(projects, dtype=np.int64),
                weights=np.ones(len(ballots), dtype=np.int64), num_voters=len(ballots))


def _random_election(rng: random.Random):
    num_projects, num_voters = rng.randint(1, 5), rng.randint(1, 6)
    costs = [rng.randint(1, 6) for _ in range(num_projects)]
    budget = rng.randint(max(costs), sum(costs) + 2)
    ballots = [sorted(rng.sample(range(num_projects), rng.randint(0, num_projects)))
               for _ in range(num_voters)]
    selected = sorted(rng.sample(range(num_projects), rng.randint(0, num_projects)))
    return costs, budget, ballots, selected


def _subsets(items):
    items = list(items)
    return chain.from_iterable(combinations(items, k) for k in range(1, len(items) + 1))


def _brute_force_strict(costs, budget, ballots, selected) -> bool:
    """Every group S of voters and set T: T-cohesive S must hold a voter with
    u(W) ≥ cost(T) or u(W ∪ {a}) > cost(T) for some a in T outside W."""
    n, won = len(ballots), set(selected)
    for group in _subsets(range(n)):
        for projects in _subsets(range(len(costs))):
            price = sum(costs[p] for p in projects)
            if Fraction(len(group), n) < Fraction(price, budget):
                continue
            if not all(set(projects) <= set(ballots[i]) for i in group):
                continue
            missing = [costs[p] for p in projects if p not in won]
            if not any(sum(costs[p] for p in won if p in ballots[i]) >= price
                       or any(sum(costs[p] for p in won if p in ballots[i]) + c > price
                              for c in missing) for i in group):
                return False
    return True


def _pabutools_says(costs, budget, ballots, selected) -> bool:
    from pabutools.analysis.justifiedrepresentation import is_EJR_one_approval
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        Cost_Sat,
        Instance,
        Project,
    )

    projects = [Project(f"p{k}", c) for k, c in enumerate(costs)]
    instance = Instance(projects, budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots],
                              instance=instance)
    return is_EJR_one_approval(instance, profile, Cost_Sat, [projects[p] for p in selected])


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_pabutools_on_random_small_elections(seed):
    pytest.importorskip("pabutools")
    rng = random.Random(seed)
    disagreements, failing = [], 0
    for _ in range(40):
        costs, budget, ballots, selected = _random_election(rng)
        check = check_ejr_up_to_one(costs=costs, budget=budget, selected=selected,
                                    strict=False, **_arrays(ballots))
        assert check.exact
        failing += not check.passes
        if check.passes != _pabutools_says(costs, budget, ballots, selected):
            disagreements.append((costs, budget, ballots, selected))
    assert disagreements == []
    assert failing  # the random outcomes do include unfair ones


@pytest.mark.parametrize("seed", range(6))
def test_strict_check_agrees_with_a_brute_force_over_groups(seed):
    rng = random.Random(1000 + seed)
    for _ in range(40):
        costs, budget, ballots, selected = _random_election(rng)
        check = check_ejr_up_to_one(costs=costs, budget=budget, selected=selected,
                                    **_arrays(ballots))
        assert check.passes == _brute_force_strict(costs, budget, ballots, selected)


def test_a_group_cohesive_over_three_projects_is_found():
    # four voters support five projects of cost 2; budget 6, so all four can claim any
    # three. Funding d and e gives each 4: every set of one or two projects is matched
    # (4 ≥ 4), but for three projects 4 + 2 ≤ 6: a violation only sets of three show.
    ballots = [[0, 1, 2, 3, 4]] * 4
    check = check_ejr_up_to_one(costs=[2] * 5, budget=6, selected=[3, 4],
                                **_arrays(ballots))
    assert check.exact and (0, 1, 2) in check.violations
    assert {len(t) for t in check.violations} == {3}
    fair = check_ejr_up_to_one(costs=[2] * 5, budget=6, selected=[0, 1, 2],
                               **_arrays(ballots))
    assert fair.passes and fair.exact


def test_a_left_out_cohesive_group_and_a_group_too_small_to_claim():
    # 4 voters, budget 4: voters 0-1 approve project 0 (cost 2), voters 2-3 approve 1 (cost 2)
    kwargs = dict(entry_row=np.array([0, 1]), entry_project=np.array([0, 1]),
                  weights=np.array([2, 2]), costs=[2, 2], budget=4, num_voters=4)
    assert check_ejr_up_to_one(selected=[0, 1], **kwargs).violations == ()
    assert check_ejr_up_to_one(selected=[0], **kwargs).violations == ((1,),)
    # a group of 1 voter out of 4 cannot claim a project of cost 2 (its share is 1)
    small = dict(kwargs, weights=np.array([3, 1]))
    assert check_ejr_up_to_one(selected=[0], **small).violations == ()


def test_past_the_work_limit_the_check_is_bounded_and_says_so():
    rng = np.random.default_rng(7)
    approve = rng.random((300, 14)) < 0.7
    rows, projects = np.nonzero(approve)
    kwargs = dict(entry_row=rows, entry_project=projects, weights=np.ones(300, np.int64),
                  costs=[1] * 14, budget=14, num_voters=300, selected=list(range(7)))
    full = check_ejr_up_to_one(**kwargs)
    bounded = check_ejr_up_to_one(**kwargs, work_limit=20_000)
    assert full.exact and full.largest_size == 14
    assert not bounded.exact and 1 <= bounded.largest_size < 14
    assert set(bounded.violations) <= set(full.violations)
    assert all(len(t) <= bounded.largest_size for t in bounded.violations)
