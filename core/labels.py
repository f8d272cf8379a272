"""Translated labels for the framing every process shares (core.process): its commitment and
its audience. Templates show them through the `process_badges`/`framing` macros."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.process import Audience, Commitment

COMMITMENTS = {
    Commitment.BINDING: _l("Binding"),
    Commitment.ADVISORY: _l("Advisory"),
}

COMMITMENT_MEANINGS = {
    Commitment.BINDING: _l("The authority has committed to act on the result."),
    Commitment.ADVISORY: _l("Your input informs the decision; the authority is not bound by it."),
}

AUDIENCES = {
    Audience.PUBLIC: _l("Public"),
    Audience.STAFF: _l("Staff only"),
}


def label(labels: dict, code) -> str:
    """The label for `code` (an enum member or its stored string), else the code itself."""
    return str(labels.get(str(code), code))
