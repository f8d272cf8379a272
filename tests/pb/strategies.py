"""Hypothesis strategies for random small elections, shared by the PB property tests."""
from __future__ import annotations

from hypothesis import strategies as st

from tests.pb.elections import make_election

PROJECT_IDS = ["a", "b", "c", "d", "e"]


@st.composite
def approval_elections(draw, max_voters=8):
    m = draw(st.integers(1, 5))
    ids = PROJECT_IDS[:m]
    costs = {pid: draw(st.integers(0, 12)) for pid in ids}
    budget = draw(st.integers(1, 30))
    votes = draw(st.lists(st.lists(st.sampled_from(ids), unique=True), max_size=max_voters))
    return make_election(costs, budget, votes)


@st.composite
def any_elections(draw):
    vote_type = draw(st.sampled_from(["approval", "ordinal", "cumulative", "scoring"]))
    if vote_type == "approval":
        return draw(approval_elections()), vote_type
    m = draw(st.integers(1, 5))
    ids = PROJECT_IDS[:m]
    costs = {pid: draw(st.integers(0, 12)) for pid in ids}
    budget = draw(st.integers(1, 30))
    votes = []
    for _ in range(draw(st.integers(0, 7))):
        chosen = draw(st.permutations(ids))[: draw(st.integers(0, m))]
        if vote_type == "ordinal":
            votes.append(list(chosen))
        else:
            votes.append({pid: draw(st.integers(1, 4)) for pid in chosen})
    return make_election(costs, budget, votes, vote_type=vote_type), vote_type
