"""Phases of a budgeting process: a pure state machine (no Flask, no SQLAlchemy).

proposals → review → voting → results → implementation, after an unpublished draft; proposals
and review may be skipped (Consul's `accepting`/`reviewing`, Decidim's budgets steps;
docs/civic-platforms.md §1 "Participatory budgeting"), and implementation may never come.
Each phase after the draft starts at a date on the process (None: skipped or not dated);
`flask budgets tick` moves processes with :func:`due_phase`. Every function takes `now`.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from core.states import InvalidTransition, can_transition, check_transition  # noqa: F401


class Phase(enum.StrEnum):
    DRAFT = "draft"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


ORDER = (Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.RESULTS,
         Phase.IMPLEMENTATION)

TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.DRAFT: frozenset({Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING}),
    Phase.PROPOSALS: frozenset({Phase.REVIEW, Phase.VOTING}),
    Phase.REVIEW: frozenset({Phase.VOTING}),
    Phase.VOTING: frozenset({Phase.RESULTS}),
    Phase.RESULTS: frozenset({Phase.IMPLEMENTATION}),
    Phase.IMPLEMENTATION: frozenset(),
}

# Named groups (as petitions/lifecycle.py does).
PUBLISHED = frozenset(ORDER[1:])
RULES_EDITABLE = frozenset({Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW})
AFTER_VOTING = frozenset({Phase.RESULTS, Phase.IMPLEMENTATION})
# Published phases that dates can still move on (`flask budgets tick`): those with a way out.
MOVED_BY_DATE = frozenset(phase for phase in PUBLISHED if TRANSITIONS[phase])


@dataclass(frozen=True)
class Schedule:
    """When each phase starts; ``results`` is when voting closes. None: skipped / not dated."""

    proposals: datetime | None = None
    review: datetime | None = None
    voting: datetime | None = None
    results: datetime | None = None
    implementation: datetime | None = None

    def start_of(self, phase: Phase) -> datetime | None:
        return None if phase is Phase.DRAFT else getattr(self, str(phase))

    def problems(self) -> list[str]:
        """Field names whose date is not after the previous dated phase (empty: valid)."""
        bad, last = [], None
        for phase in ORDER[1:]:
            when = self.start_of(phase)
            if when is None:
                continue
            if last is not None and when <= last:
                bad.append(str(phase))
            last = when
        if self.voting is not None and self.results is None:
            bad.append("results")
        return bad


def check(current: Phase, target: Phase) -> None:
    """Raise InvalidTransition unless `current → target` is in TRANSITIONS."""
    check_transition(TRANSITIONS, Phase(current), Phase(target))


def due_phase(current: Phase, schedule: Schedule, *, now: datetime) -> Phase:
    """The phase the dates say a published process is in at `now` (drafts stay drafts).

    Walks forward through the dated phases whose start has passed, skipping undated ones,
    only along allowed transitions; never goes back.
    """
    phase = Phase(current)
    if phase is Phase.DRAFT:
        return phase
    for target in ORDER[ORDER.index(phase) + 1:]:
        when = schedule.start_of(target)
        if when is not None and when <= now and can_transition(TRANSITIONS, phase, target):
            phase = target
    return phase


def next_step(current: Phase, schedule: Schedule) -> tuple[Phase, datetime | None] | None:
    """The next phase and when it starts (None: not dated), or None after the last phase."""
    phase = Phase(current)
    later = ORDER[ORDER.index(phase) + 1:]
    for target in later:
        when = schedule.start_of(target)
        if when is not None and can_transition(TRANSITIONS, phase, target):
            return target, when
    for target in later:  # nothing dated: the next phase the table allows
        if can_transition(TRANSITIONS, phase, target):
            return target, None
    return None
