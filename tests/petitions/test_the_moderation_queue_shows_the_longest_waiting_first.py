"""Moderators work the queue oldest first: the petition that has waited longest is on top,
whatever order the petitions were created in."""
from __future__ import annotations

from datetime import timedelta

from core.db import db
from petitions import moderation
from petitions.models import Petition
from tests.petitions.helpers import T0, sign_and_confirm, sponsoring


def _draft(scheme, people, title):
    p = sponsoring(scheme, people, title=title, action="Do it.", now=T0)
    return p.id


def _sponsored(petition_id, at):
    token = db.session.get(Petition, petition_id).sponsor_token
    for i in range(2):
        sign_and_confirm(petition_id, f"sponsor{i}.{petition_id}@example.org", now=at,
                         sponsor_token=token)


def test_the_petition_waiting_longest_is_first(scheme, people):
    first_created = _draft(scheme, people, "Fix the potholes on Mill Lane")
    second_created = _draft(scheme, people, "Light the park path")
    _sponsored(second_created, T0 + timedelta(hours=1))  # waits since 13:00
    _sponsored(first_created, T0 + timedelta(hours=2))  # waits since 14:00
    queue = moderation.moderation_queue(now=T0 + timedelta(days=1))
    assert [(p.id, p.moderation_at) for p, _sla in queue] == [
        (second_created, T0 + timedelta(hours=1)), (first_created, T0 + timedelta(hours=2))]
