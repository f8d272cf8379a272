"""Translated labels for the codes petitions store (states, rejection reasons, commitments).

The database and the open-data exports keep the codes; pages, forms and emails show these
labels in the reader's language (lazy strings, translated when rendered).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.labels import label
from core.process import Commitment
from core.states import InvalidTransition
from petitions import lifecycle
from petitions.lifecycle import (
    DebateState,
    PetitionState,
    RejectionReason,
    ResponseState,
    SignatureState,
)

# The public list's filters (queries.STATUSES) and the moderation queue's time-limit status
# (lifecycle.moderation_sla_status).
LIST_FILTERS = {
    "all": _l("All"), "open": _l("Open"), "awaiting_response": _l("Awaiting response"),
    "responded": _l("Responded"), "overdue": _l("Response overdue"), "closed": _l("Closed"),
    "rejected": _l("Rejected"),
}
MODERATION_SLA = {"ok": _l("Within target"), "nearly": _l("Nearly overdue"),
                  "overdue": _l("Overdue")}

PETITION_STATES = {
    PetitionState.DRAFT: _l("Draft"),
    PetitionState.SPONSORING: _l("Collecting sponsors"),
    PetitionState.AWAITING_MODERATION: _l("Awaiting moderation"),
    PetitionState.OPEN: _l("Open"),
    PetitionState.CLOSED: _l("Closed"),
    PetitionState.REJECTED: _l("Rejected"),
}

RESPONSE_STATES = {
    ResponseState.NOT_NEEDED: _l("No response needed yet"),
    ResponseState.AWAITING: _l("Awaiting response"),
    ResponseState.RESPONDED: _l("Responded"),
}

DEBATE_STATES = {
    DebateState.NOT_NEEDED: _l("No debate needed yet"),
    DebateState.AWAITING: _l("Awaiting a debate"),
    DebateState.DEBATED: _l("Debated"),
    DebateState.NOT_DEBATED: _l("Not debated"),
}

# After the UK e-petitions service's rejection reasons (EP `rejection_reasons`).
REJECTION_REASONS = {
    RejectionReason.DUPLICATE: _l("Duplicate of an existing petition"),
    RejectionReason.IRRELEVANT: _l("Not the authority's responsibility"),
    RejectionReason.NO_ACTION: _l("Does not ask for a clear action"),
    RejectionReason.ALREADY_HAPPENING: _l("Already happening or already decided"),
    RejectionReason.PERSONAL: _l("About a particular person"),
    RejectionReason.FAKE_NAME: _l("Created under a false name"),
    RejectionReason.LIBELLOUS: _l("Confidential, libellous, false or defamatory"),
    RejectionReason.OFFENSIVE: _l("Offensive, nonsense or a joke"),
    RejectionReason.ADVERT: _l("Advertising or spam"),
}

SIGNATURE_STATES = {
    SignatureState.PENDING: _l("Awaiting email confirmation"),
    SignatureState.VALIDATED: _l("Counted"),
    SignatureState.FRAUDULENT: _l("Flagged as suspicious"),
    SignatureState.INVALIDATED: _l("Invalidated"),
}

# What a scheme's commitment means for a petition: "binding" obliges an answer, not the action.
COMMITMENTS_EXPLAINED = {
    Commitment.BINDING: _l("Binding: the authority must answer"),
    Commitment.ADVISORY: _l("Advisory: the authority takes it as input"),
}

def response_label(response_state: ResponseState, shown: PetitionState) -> str:
    """The response line of a petition shown in state `shown` (lifecycle.never_owed)."""
    if lifecycle.never_owed(response_state, shown):
        return str(_("No response: threshold not reached") if shown == PetitionState.CLOSED
                   else _("No response needed"))
    return label(RESPONSE_STATES, response_state)


def debate_label(debate_state: DebateState, shown: PetitionState) -> str:
    """The debate line of a petition shown in state `shown` (lifecycle.never_owed)."""
    if lifecycle.never_owed(debate_state, shown):
        return str(_("No debate: threshold not reached"))
    return label(DEBATE_STATES, debate_state)


def not_now(exc: InvalidTransition) -> str:
    """A translated message for a transition the petition's current state does not allow."""
    state = PETITION_STATES.get(str(exc.current))
    if state is None:
        return _("This action is no longer possible.")
    return _("This action is not possible while the petition is “%(state)s”.", state=state)


def debate_not_now(exc: InvalidTransition) -> str:
    """The same for a debate outcome the debate's current state does not allow."""
    state = DEBATE_STATES.get(str(exc.current))
    if state is None:
        return _("This action is no longer possible.")
    return _("A debate outcome cannot be recorded while the debate is “%(state)s”.",
             state=state)
