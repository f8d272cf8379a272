"""Synthetic conversations with planted opinion groups, for tests and the scale benchmark.

Each planted group has its own agree/disagree/pass probabilities per statement. Votes are
spread unevenly: participant activity and statement popularity follow heavy-tailed
(log-normal) weights, as in real conversations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlantedConversation:
    """Vote events (internal sign) plus the planted group of every participant id."""

    pids: np.ndarray
    tids: np.ndarray
    votes: np.ndarray
    timestamps: np.ndarray
    planted_group: np.ndarray  # indexed by participant id


def planted_conversation(
    *, n_participants: int, n_statements: int, n_votes: int, n_groups: int = 3,
    pass_rate: float = 0.15, contrast: float = 0.8, seed: int,
) -> PlantedConversation:
    """Generate ``n_votes`` vote events (a few are re-votes of the same cell).

    ``contrast`` in [0, 1] is how strongly groups disagree: 0 gives identical groups.
    """
    if min(n_participants, n_statements, n_votes, n_groups) < 1:
        raise ValueError("sizes must be positive")
    rng = np.random.default_rng(seed)
    planted = rng.integers(0, n_groups, size=n_participants)
    # P(agree | voted and not passing) per (group, statement).
    lean = rng.choice([-1.0, 1.0], size=(n_groups, n_statements))
    p_agree = 0.5 + 0.5 * contrast * lean * rng.uniform(0.5, 1.0, size=(n_groups, n_statements))
    activity = rng.lognormal(0.0, 1.0, size=n_participants)
    popularity = rng.lognormal(0.0, 0.5, size=n_statements)
    pids = rng.choice(n_participants, size=n_votes, p=activity / activity.sum())
    tids = rng.choice(n_statements, size=n_votes, p=popularity / popularity.sum())
    u = rng.random(n_votes)
    agree = u < p_agree[planted[pids], tids]
    votes = np.where(agree, -1, 1).astype(np.int8)
    votes[rng.random(n_votes) < pass_rate] = 0
    return PlantedConversation(pids=pids, tids=tids, votes=votes,
                               timestamps=np.arange(n_votes, dtype=np.float64),
                               planted_group=planted)
