"""Translated labels for the codes petitions store (states, rejection reasons, commitments).

The database and the open-data exports keep the codes; pages, forms and emails show these
labels in the reader's language (lazy strings, translated when rendered).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.process import Commitment
from core.states import InvalidTransition
from petitions.lifecycle import DebateState, PetitionState, RejectionReason, SignatureState

PETITION_STATES = {
    PetitionState.DRAFT: _l("Draft"),
    PetitionState.SPONSORING: _l("Collecting sponsors"),
    PetitionState.AWAITING_MODERATION: _l("Awaiting moderation"),
    PetitionState.OPEN: _l("Open"),
    PetitionState.CLOSED: _l("Closed"),
    PetitionState.REJECTED: _l("Rejected"),
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

COMMITMENTS = {
    Commitment.BINDING: _l("Binding"),
    Commitment.ADVISORY: _l("Advisory"),
}


def label(labels: dict, code) -> str:
    """The label for `code` (an enum member or its stored string), else the code itself."""
    return str(labels.get(str(code), code))


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
