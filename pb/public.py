"""What other domains may read of a budgeting process (issue 10: domains join through public
functions). Used by deliberation to open a conversation during a budget's proposal phase."""
from __future__ import annotations

from dataclasses import dataclass

from core.db import db
from core.process import Audience
from pb.models import BudgetProcess
from pb.phases import Phase


@dataclass(frozen=True)
class BudgetBrief:
    id: int
    title: str
    description: str
    audience: Audience
    taking_proposals: bool


def budget_brief(process_id: int) -> BudgetBrief | None:
    """The process's public framing and whether it is in its proposal phase (None: no such
    process)."""
    process = db.session.get(BudgetProcess, process_id)
    if process is None:
        return None
    return BudgetBrief(id=process.id, title=process.title, description=process.description or "",
                       audience=process.audience,
                       taking_proposals=process.phase == Phase.PROPOSALS)
