"""Privacy (docs/reliability.md §2e): a deleted account leaves no name, email or IP on its
signatures, and anonymising a petition also scrubs the copies in the outbox and the trending
alerts. Counts and area codes survive both."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.db import db
from core.mail import OutboxEmail
from petitions import areas, jobs, moderation, service
from petitions.models import Petition, Signature, TrendingAlert
from tests.petitions.helpers import T0, open_petition, sign_and_confirm, token_for

NOW = T0 + timedelta(days=2)
PASSWORD = "correct horse battery staple"


pytestmark = pytest.mark.frozen_clock(NOW)


def _signatures(pid):
    db.session.expire_all()
    return {s.id: s for s in db.session.scalars(
        select(Signature).where(Signature.petition_id == pid))}


def _count(pid):
    db.session.expire_all()
    return db.session.get(Petition, pid).signature_count


def _outbox(**where):
    return db.session.scalar(select(func.count(OutboxEmail.id)).filter_by(**where))


def _is_forgotten(row):
    # The canonical email becomes a keyed hash (privacy.anonymous_key): no address left.
    return (row.name, row.email, row.ip, row.area, row.token, row.notify_by_email,
            row.user_id) == ("", "", None, None, None, False, None) and \
        row.canonical_email.startswith("anon:") and "@" not in row.canonical_email


# --- Account deletion ------------------------------------------------------------------------

@pytest.fixture
def ana(make_user, client, login_as, scheme, people):
    """Ana signs three petitions: one in one click (validated, linked to her account), one by
    email and confirmed (no account link), one still pending; Bob signs one too."""
    ana = make_user(email="ana@example.org", name="Ana Able", password=PASSWORD)
    petitions = [open_petition(scheme, people, title=f"Petition number {i}") for i in range(3)]
    login_as(client, ana)
    client.post(f"/petitions/{petitions[0].id}/sign", data={"eligible": "y", "area": "North",
                                                            "notify": "y"})
    sign_and_confirm(petitions[1].id, "Ana+petitions@example.org", name="Ana A.", area="South",
                     notify=True, now=NOW)
    service.sign(petitions[2].id, name="Ana", email="ana@example.org", area="North",
                 ip="192.0.2.4", notify=True, now=NOW, confirm_link=lambda t: t)
    sign_and_confirm(petitions[0].id, "bob@example.org", name="Bob Bystander", area="North",
                     now=NOW)
    return ana, petitions


def _anas_rows(petitions):
    return [row for p in petitions for row in _signatures(p.id).values()
            if row.email.lower().startswith("ana") or row.name.startswith("Ana")]


def test_deleting_an_account_blanks_its_signatures_but_keeps_the_counts(client, ana):
    user, petitions = ana
    mine = _anas_rows(petitions)
    assert [(r.user_id, r.canonical_email) for r in mine] == [
        (user.id, "ana@example.org"), (None, "ana@example.org"), (None, "ana@example.org")]
    ids = [row.id for row in mine]
    before = [(_count(p.id), areas.counts(p.id)) for p in petitions]

    response = client.post("/account/delete", data={"del-current": PASSWORD,
                                                    "del-understood": "y"})
    assert response.status_code == 302
    rows = {sid: row for p in petitions for sid, row in _signatures(p.id).items()}
    assert all(_is_forgotten(rows[sid]) for sid in ids)
    assert [rows[sid].state for sid in ids] == ["validated", "validated", "pending"]
    assert [rows[sid].area_code for sid in ids] == ["North", "South", "North"]
    assert [(_count(p.id), areas.counts(p.id)) for p in petitions] == before
    bob = next(r for r in rows.values() if r.name == "Bob Bystander")
    assert (bob.email, bob.canonical_email) == ("bob@example.org", "bob@example.org")


def test_a_refused_deletion_leaves_the_signatures_alone(client, ana):
    _user, petitions = ana
    snapshot = [(r.id, r.name, r.email, r.ip, r.canonical_email) for r in _anas_rows(petitions)]
    refused = client.post("/account/delete", data={"del-current": "not my password",
                                                   "del-understood": "y"})
    assert refused.status_code == 400
    assert [(r.id, r.name, r.email, r.ip, r.canonical_email)
            for r in _anas_rows(petitions)] == snapshot


# --- Anonymisation after the petition ended -------------------------------------------------

SECRET_IP, NEIGHBOUR_IP = "203.0.113.9", "203.0.113.99"


def test_anonymising_also_scrubs_outbox_copies_and_trending_ips(people, scheme):
    secret = open_petition(scheme, people, title="The secret petition")
    other = open_petition(scheme, people, title="The other petition", now=NOW)
    sign_and_confirm(secret.id, "secret.person@example.org", name="Secret Person",
                     now=NOW, ip=SECRET_IP, notify=True)
    sign_and_confirm(other.id, "neighbour@example.org", now=NOW, ip=NEIGHBOUR_IP)
    moderation.report_trending(now=NOW + timedelta(minutes=1), log_at=1, notify_at=1)
    # Both IPs were alerted in the same run; the neighbour's IP contains the secret one.
    assert _outbox(to="mod@example.org") >= 3
    assert _outbox(to="secret.person@example.org") == 1
    kept_mail = db.session.scalars(select(OutboxEmail.id).where(
        OutboxEmail.body.contains(NEIGHBOUR_IP))).all()
    assert kept_mail

    jobs.tick(now=secret.closes_at)
    assert jobs.anonymise(now=secret.closes_at + timedelta(days=184), after_days=183) == \
        [secret.id]

    assert _outbox(to="secret.person@example.org") == 0
    bodies = db.session.scalars(select(OutboxEmail.body)).all()
    assert not any(SECRET_IP in body.replace(NEIGHBOUR_IP, "") for body in bodies)
    assert db.session.scalars(select(OutboxEmail.id).where(
        OutboxEmail.body.contains(NEIGHBOUR_IP))).all() == kept_mail
    alerts = db.session.execute(select(TrendingAlert.petition_id, TrendingAlert.kind,
                                       TrendingAlert.value, TrendingAlert.id)).all()
    secret_ips = [(v, f"anon:{aid}") for pid, kind, v, aid in alerts
                  if pid == secret.id and kind == "ip"]
    assert secret_ips and all(value == anon for value, anon in secret_ips)
    alerts = [(pid, kind, value) for pid, kind, value, _id in alerts]
    assert (secret.id, "domain", "example.org") in alerts  # domains are not personal here
    assert (other.id, "ip", NEIGHBOUR_IP) in alerts  # other petitions keep theirs
    assert _outbox(to="neighbour@example.org") == 1
    assert jobs.anonymise(now=secret.closes_at + timedelta(days=185), after_days=183) == []


def test_outbox_emails_after_the_cutoff_are_kept(people, scheme):
    """Only copies older than the retention period go: a signer's newer mail (about another,
    still open petition) is still to be sent."""
    p = open_petition(scheme, people)
    sign_and_confirm(p.id, "sam@example.org", now=NOW)
    jobs.tick(now=p.closes_at)
    later = p.closes_at + timedelta(days=184)
    other = open_petition(scheme, people, title="A newer petition", now=later)
    with time_machine.travel(later, tick=False):
        service.sign(other.id, name="Sam", email="sam@example.org", area=None, ip=None,
                     notify=False, now=later, confirm_link=lambda t: f"/c/{t}")
    assert _outbox(to="sam@example.org") == 2
    assert jobs.anonymise(now=later, after_days=183) == [p.id]
    mails = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.to == "sam@example.org")).all()
    assert [m.created_at for m in mails] == [later]
    assert token_for(other.id, "sam@example.org") in mails[0].body


def test_the_anonymise_command_reads_the_retention_from_the_config(app, runner, people, scheme):
    p = open_petition(scheme, people)
    sign_and_confirm(p.id, "sam@example.org", name="Sam Secret", now=NOW)
    run_at = p.closes_at + timedelta(days=11)

    def anonymise_with(days):
        app.config["PETITIONS_ANONYMISE_AFTER_DAYS"] = days
        with time_machine.travel(run_at, tick=False):
            return runner.invoke(args=["petitions", "anonymise"]).output

    assert "anonymised 0 petition(s)" in anonymise_with(30)  # closed 11 days ago: too soon
    assert any(r.email == "sam@example.org" for r in _signatures(p.id).values())
    assert "anonymised 1 petition(s)" in anonymise_with(10)
    assert not any(r.email or r.name for r in _signatures(p.id).values())
