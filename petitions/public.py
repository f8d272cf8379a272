"""What other domains may read of a petition (issue 10: domains join through public functions,
never through each other's models). Used by deliberation to open a conversation from a
petition that crossed its response threshold."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.db import db
from petitions.models import Petition


@dataclass(frozen=True)
class PetitionBrief:
    id: int
    title: str
    action: str
    background: str
    response_threshold_reached_at: datetime | None


def petition_brief(petition_id: int) -> PetitionBrief | None:
    """The petition's public text and whether it crossed its response threshold (None: no
    such petition)."""
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        return None
    return PetitionBrief(id=petition.id, title=petition.title, action=petition.action,
                         background=petition.background or "",
                         response_threshold_reached_at=petition.response_threshold_reached_at)
