"""The UMAP alternative map: seeded, labelled as an alternative, groups stay Polis's."""
from __future__ import annotations

import numpy as np
import pytest

from deliberation.matrix import build_vote_matrix
from deliberation.pipeline import run_pipeline
from deliberation.synthetic import planted_conversation
from deliberation.umap_map import umap_map


def test_too_few_participants_for_a_map_is_a_clear_error():
    result = run_pipeline(build_vote_matrix(pids=np.array([1, 2]), tids=np.array([0, 0]),
                                            votes=np.array([-1, 1])))
    with pytest.raises(ValueError, match="at least 3"):
        umap_map(result, seed=0)


@pytest.mark.slow
@pytest.mark.timeout(600)  # UMAP (numba compiles on first use)
def test_umap_map_is_reproducible_and_keeps_the_polis_groups():
    conv = planted_conversation(n_participants=150, n_statements=20, n_votes=2_000, seed=2)
    result = run_pipeline(build_vote_matrix(pids=conv.pids, tids=conv.tids, votes=conv.votes,
                                            timestamps=conv.timestamps))
    first, second = umap_map(result, seed=7), umap_map(result, seed=7)
    assert np.array_equal(first.xy, second.xy)
    assert first.xy.shape == (int(result.in_conv.sum()), 2)
    assert np.array_equal(first.group_of, result.group_of[result.in_conv])
    assert "Alternative view" in first.label
