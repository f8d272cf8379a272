"""Translated labels for the codes conversations store (phases, reader statuses, moderation).

The database and the exports keep the codes; pages show these labels in the reader's language
(lazy strings, translated when rendered), like petitions/labels.py and pb/labels.py.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.labels import label  # noqa: F401 - templates call labels.label
from deliberation.phases import ConversationPhase, Moderation, Status

PHASES = {
    ConversationPhase.DRAFT: _l("Draft"),
    ConversationPhase.OPEN: _l("Open"),
    ConversationPhase.CLOSED: _l("Closed"),
}

# Section headings of the index, one per reader status.
SECTIONS = {
    Status.OPEN: _l("Open"),
    Status.UPCOMING: _l("Upcoming"),
    Status.CLOSED: _l("Closed"),
    Status.DRAFT: _l("Drafts"),
}

MODERATION = {
    Moderation.NEW: _l("new"),
    Moderation.ACCEPTED: _l("accepted"),
    Moderation.REJECTED: _l("rejected"),
    Moderation.META: _l("meta"),
}

# The badge a statement gets in the report, where it is not simply accepted.
MODERATION_BADGES = {
    Moderation.NEW: _l("not moderated yet"),
    Moderation.REJECTED: _l("rejected"),
    Moderation.META: _l("about the conversation"),
}
