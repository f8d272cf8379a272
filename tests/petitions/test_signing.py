"""Signing: one signature per person, confirmation links, fraud limits, invalidation, privacy."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.db import db
from core.mail import OutboxEmail
from petitions import jobs, moderation, service
from petitions.lifecycle import ResponseState
from petitions.models import Petition, Signature
from tests.petitions.helpers import (
    T0,
    count_rows,
    open_petition,
    reload,
    sign_and_confirm,
    sponsoring,
    token_for,
)

NOW = T0 + timedelta(days=2)


pytestmark = pytest.mark.frozen_clock(NOW)


def _sign(pid, email, **kw):
    return service.sign(pid, name=kw.pop("name", "Sam"), email=email, area=kw.pop("area", None),
                        ip=kw.pop("ip", "198.51.100.9"), notify=False, now=kw.pop("now", NOW),
                        confirm_link=lambda t: f"/c/{t}", **kw)


@pytest.mark.parametrize("second", ["SAM@example.org", "sam+again@Example.org",
                                    "s\u200bam@example.org", "ｓａｍ@example.org"])
def test_a_second_signature_by_the_same_person_is_told_it_already_signed(petition, second):
    sign_and_confirm(petition.id, "sam@example.org", now=NOW)
    before = (reload(petition.id).signature_count, db.session.scalar(
        select(func.count(Signature.id))), db.session.scalar(select(func.count(OutboxEmail.id))))
    assert _sign(petition.id, second) == service.SignOutcome.ALREADY_SIGNED
    after = (reload(petition.id).signature_count, db.session.scalar(
        select(func.count(Signature.id))), db.session.scalar(select(func.count(OutboxEmail.id))))
    assert after == before


def test_the_anonymous_web_form_never_says_already_signed(client, petition):
    data = {"name": "Sam", "email": "sam@example.org", "eligible": "y"}
    assert "Check your email" in client.post(f"/petitions/{petition.id}/sign",
                                             data=data).get_data(True)
    data["email"] = "Sam+2@Example.org"
    again = client.post(f"/petitions/{petition.id}/sign", data=data).get_data(True)
    assert "Check your email" in again and "already signed" not in again  # still pending
    service.confirm_signature(token_for(petition.id, "sam@example.org"), now=NOW)
    # Confirmed: the anonymous form still answers as for anyone (issue 13, finding 5).
    confirmed = client.post(f"/petitions/{petition.id}/sign", data=data).get_data(True)
    assert "Check your email" in confirmed and "already signed" not in confirmed


def test_a_confirmed_user_signs_in_one_click(client, login_as, people, petition):
    login_as(client, people["citizen"])
    before = reload(petition.id).signature_count
    r = client.post(f"/petitions/{petition.id}/sign", data={"eligible": "y"})
    assert "has been counted" in r.get_data(True)
    assert reload(petition.id).signature_count == before + 1


def test_the_eligibility_box_and_a_valid_email_are_required(client, petition):
    r = client.post(f"/petitions/{petition.id}/sign",
                    data={"name": "Sam", "email": "sam@example.org"})
    assert r.status_code == 400 and "eligible" in r.get_data(True)
    r = client.post(f"/petitions/{petition.id}/sign",
                    data={"name": "=HYPERLINK(1)", "email": "x\x00@example.org", "eligible": "y"})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(Signature.id)).where(
        Signature.petition_id == petition.id, Signature.state == "pending")) == 0


def test_a_confirmation_link_counts_once_and_expires(petition):
    _sign(petition.id, "sam@example.org")
    token = token_for(petition.id, "sam@example.org")
    before = reload(petition.id).signature_count
    service.confirm_signature(token, now=NOW)
    with pytest.raises(service.NotFound):
        service.confirm_signature(token, now=NOW)
    assert reload(petition.id).signature_count == before + 1
    _sign(petition.id, "late@example.org")
    with pytest.raises(service.SigningClosed):
        service.confirm_signature(token_for(petition.id, "late@example.org"),
                                  now=NOW + timedelta(days=8))


def test_signing_stops_exactly_when_the_window_closes(petition):
    closes = petition.closes_at
    assert _sign(petition.id, "a@example.org", now=closes - timedelta(seconds=1)) \
        == service.SignOutcome.CONFIRMATION_SENT
    with pytest.raises(service.SigningClosed):
        _sign(petition.id, "b@example.org", now=closes + timedelta(seconds=1))
    assert token_for(petition.id, "b@example.org") is None


def test_over_the_ip_limit_signatures_are_stored_as_fraudulent_and_not_counted(petition):
    limits = service.SigningLimits(ip_burst=1, ip_sustained=5)
    before = reload(petition.id).signature_count
    outcomes = [_sign(petition.id, f"bot{i}@example.org", ip="203.0.113.5", limits=limits,
                      now=NOW + timedelta(seconds=i)) for i in range(3)]
    assert set(outcomes) == {service.SignOutcome.CONFIRMATION_SENT}  # no signal to the client
    for i in range(3):
        token = token_for(petition.id, f"bot{i}@example.org")
        service.confirm_signature(token, now=NOW + timedelta(seconds=10))
    assert reload(petition.id).signature_count == before + 1
    assert count_rows(petition.id, "fraudulent") == 2


def test_invalidation_previews_then_drops_the_count_and_clears_the_threshold(people, petition):
    for i in range(2):
        sign_and_confirm(petition.id, f"bot{i}@spam.example", now=NOW, ip="203.0.113.5")
    p = reload(petition.id)
    assert p.signature_count == 5 and p.response_state == ResponseState.AWAITING
    criteria = moderation.InvalidationCriteria(petition_id=petition.id, ip="203.0.113.5")
    assert moderation.invalidation_preview(criteria) == {"validated": 2}
    assert reload(petition.id).signature_count == 5  # preview changes nothing
    moderation.invalidate(criteria, actor=people["moderator"], now=NOW)
    p = reload(petition.id)
    assert p.signature_count == 3 == count_rows(petition.id)
    assert p.response_state == ResponseState.NOT_NEEDED
    assert p.response_threshold_reached_at is None and p.response_due_at is None
    with pytest.raises(ValueError):
        moderation.InvalidationCriteria(petition_id=petition.id)


def test_reconcile_repairs_a_corrupted_counter(runner, petition):
    db.session.execute(update(Petition).where(Petition.id == petition.id)
                       .values(signature_count=Petition.signature_count + 7))
    db.session.commit()
    result = runner.invoke(args=["petitions", "reconcile"])
    assert "1 petition(s) drifted" in result.output
    assert reload(petition.id).signature_count == count_rows(petition.id) == 3
    assert "0 petition(s) drifted" in runner.invoke(args=["petitions", "reconcile"]).output


def test_anonymisation_blanks_signers_but_keeps_counts_and_areas(app, people, scheme):
    p = open_petition(scheme, people)
    sign_and_confirm(p.id, "sam@example.org", name="Sam Secret", area="North", now=NOW)
    jobs.tick(now=p.closes_at)
    before = (reload(p.id).signature_count, count_rows(p.id))
    assert jobs.anonymise(now=p.closes_at + timedelta(days=10), after_days=183) == []
    later = p.closes_at + timedelta(days=184)
    assert jobs.anonymise(now=later, after_days=183, batch_size=2) == [p.id]
    rows = db.session.scalars(select(Signature).where(Signature.petition_id == p.id)).all()
    assert all(r.name == "" and r.email == "" and r.ip is None for r in rows)
    assert not any("sam" in r.canonical_email for r in rows)
    assert (reload(p.id).signature_count, count_rows(p.id)) == before
    assert [r.area_code for r in rows].count("North") == 1
    assert jobs.anonymise(now=later, after_days=183) == []  # re-running is a no-op


def test_a_district_outside_the_schemes_list_is_refused(petition):
    with pytest.raises(service.InvalidSignature):
        _sign(petition.id, "x@example.org", area="Atlantis")


def _confirmations_to(*addresses):
    return db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.to.in_(addresses), OutboxEmail.subject == "Confirm your signature"))


def test_one_address_gets_at_most_three_confirmation_emails_an_hour(people, scheme, caplog):
    """reliability §2d: past 3 per hour the signature is stored, silently, without an email."""
    petitions = [open_petition(scheme, people, title=f"Petition number {i}") for i in range(6)]
    spellings = ["sam@example.org", "Sam+a@example.org", "SAM@example.org",
                 "sam+b@example.org", "sam@example.org"]
    caplog.clear()  # opening 6 petitions capped the fixture's sponsors too
    with caplog.at_level("WARNING", logger="petitions.service"):
        outcomes = [_sign(p.id, email, now=NOW + timedelta(minutes=i))
                    for i, (p, email) in enumerate(zip(petitions, spellings, strict=False))]
    assert set(outcomes) == {service.SignOutcome.CONFIRMATION_SENT}  # no signal to the client
    assert _confirmations_to(*spellings) == 3
    rows = db.session.scalars(select(Signature).where(
        Signature.canonical_email == "sam@example.org").order_by(Signature.id)).all()
    assert [r.state for r in rows] == ["pending"] * 5 and all(r.token for r in rows)
    assert [r.confirmation_sent_at is not None for r in rows] == [True] * 3 + [False] * 2
    suppressed = [r for r in caplog.records if "confirmation email not sent" in r.message]
    assert len(suppressed) == 2 and "sam@" not in caplog.text.lower()  # without the address
    # The hour slides: 61 minutes after the first email, one more may go out.
    _sign(petitions[5].id, "sam@example.org", now=NOW + timedelta(minutes=61))
    assert _confirmations_to(*spellings) == 4


def test_the_email_cap_counts_per_address_not_per_petition_or_ip(petition):
    addresses = [f"person{i}@example.org" for i in range(5)]
    for address in addresses:
        _sign(petition.id, address)
    assert _confirmations_to(*addresses) == 5


def test_crossing_the_response_threshold_emails_every_official_once(app, people, petition):
    from tests.petitions.helpers import person
    person("second.official@example.org", "Second Official", ("official",))
    gone = person("gone.official@example.org", "Gone Official", ("official",))
    gone.deleted_at = T0
    db.session.commit()
    for i in range(3):  # 3 → 6 signatures: crosses 4 (response) and 6 (debate)
        sign_and_confirm(petition.id, f"fan{i}@example.org", now=NOW)
    assert reload(petition.id).response_state == ResponseState.AWAITING
    emails = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.subject == "A petition needs your response").order_by(OutboxEmail.to)).all()
    assert [e.to for e in emails] == ["official@example.org", "second.official@example.org"]
    assert petition.title in emails[0].body and "Mar 13, 2026" in emails[0].body


# --- Signing again while pending: a fresh link, never a lock-out (UK site) ------------------

def _row(pid, canonical):
    db.session.expire_all()
    return db.session.scalar(select(Signature).where(
        Signature.petition_id == pid, Signature.canonical_email == canonical))


def test_a_signer_capped_out_of_their_email_gets_it_when_signing_again_later(people, scheme):
    petitions = [open_petition(scheme, people, title=f"Petition number {i}") for i in range(4)]
    for i, p in enumerate(petitions):
        _sign(p.id, "kim@example.org", now=NOW + timedelta(minutes=i))
    capped = petitions[3]
    assert _confirmations_to("kim@example.org") == 3  # the 4th was over the cap
    assert _row(capped.id, "kim@example.org").confirmation_sent_at is None

    later = NOW + timedelta(hours=3)
    assert _sign(capped.id, "kim@example.org", now=later) == \
        service.SignOutcome.CONFIRMATION_SENT
    assert _confirmations_to("kim@example.org") == 4
    row = _row(capped.id, "kim@example.org")
    assert (row.state, row.confirmation_sent_at, row.created_at) == ("pending", later, later)
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert email.to == "kim@example.org" and capped.title in email.body
    assert row.token in email.body
    before = reload(capped.id).signature_count
    service.confirm_signature(row.token, now=later)
    assert reload(capped.id).signature_count == before + 1


def test_after_the_link_expires_signing_again_sends_a_new_one(petition):
    _sign(petition.id, "pat@example.org")
    old_token = token_for(petition.id, "pat@example.org")
    later = NOW + timedelta(days=8)
    with pytest.raises(service.SigningClosed, match="expired. Sign the petition again"):
        service.confirm_signature(old_token, now=later)

    assert _sign(petition.id, "Pat@example.org", now=later) == \
        service.SignOutcome.CONFIRMATION_SENT
    row = _row(petition.id, "pat@example.org")
    assert row.token != old_token and row.created_at == later
    assert _confirmations_to("pat@example.org") == 2
    with pytest.raises(service.NotFound):  # the old link is replaced
        service.confirm_signature(old_token, now=later)
    before = reload(petition.id).signature_count
    service.confirm_signature(row.token, now=later + timedelta(days=6))
    assert reload(petition.id).signature_count == before + 1
    assert _sign(petition.id, "pat@example.org", now=later) == \
        service.SignOutcome.ALREADY_SIGNED


def test_signing_again_within_the_hour_keeps_the_link_and_sends_nothing(petition):
    """One email per signature per hour: a re-send overwrites confirmation_sent_at, so more
    would hide emails from the per-address cap."""
    _sign(petition.id, "sam@example.org")
    token = token_for(petition.id, "sam@example.org")
    assert _sign(petition.id, "sam@example.org", now=NOW + timedelta(minutes=59)) == \
        service.SignOutcome.CONFIRMATION_SENT
    assert _confirmations_to("sam@example.org") == 1
    assert token_for(petition.id, "sam@example.org") == token  # the first email still works
    _sign(petition.id, "sam@example.org", now=NOW + timedelta(minutes=61))
    assert _confirmations_to("sam@example.org") == 2


def test_a_re_sent_link_still_counts_against_the_per_address_cap(people, scheme):
    first, second = (open_petition(scheme, people, title=f"Petition number {i}")
                     for i in range(2))
    sign = lambda pid, now: service.sign(  # noqa: E731
        pid, name="Kim", email="kim@example.org", area=None, ip=None, notify=False, now=now,
        confirm_link=lambda t: f"/c/{t}", confirmations_per_hour=1)
    sign(first.id, NOW)
    sign(second.id, NOW + timedelta(hours=2))
    old_token = token_for(first.id, "kim@example.org")
    assert sign(first.id, NOW + timedelta(hours=2, minutes=1)) == \
        service.SignOutcome.CONFIRMATION_SENT
    assert _confirmations_to("kim@example.org") == 2  # the second petition's email used the hour
    assert token_for(first.id, "kim@example.org") == old_token
    sign(first.id, NOW + timedelta(hours=3, minutes=1))
    assert _confirmations_to("kim@example.org") == 3


def test_fraudulent_and_invalidated_signers_are_told_already_signed_and_get_no_email(
        people, petition):
    limits = service.SigningLimits(ip_burst=1, ip_sustained=5)
    _sign(petition.id, "first@example.org", ip="203.0.113.5", limits=limits)
    _sign(petition.id, "bot@example.org", ip="203.0.113.5", limits=limits)
    sign_and_confirm(petition.id, "cheat@example.org", now=NOW, ip="192.0.2.1")
    moderation.invalidate(moderation.InvalidationCriteria(petition_id=petition.id,
                                                          ip="192.0.2.1"),
                          actor=people["moderator"], now=NOW)
    assert _row(petition.id, "bot@example.org").state == "fraudulent"
    emails = _confirmations_to("bot@example.org", "cheat@example.org")
    later = NOW + timedelta(days=8)
    for address in ("bot@example.org", "cheat@example.org"):
        assert _sign(petition.id, address, now=later) == service.SignOutcome.ALREADY_SIGNED
    assert _confirmations_to("bot@example.org", "cheat@example.org") == emails
    assert _row(petition.id, "bot@example.org").state == "fraudulent"


def test_a_confirmed_user_signing_in_one_click_validates_their_pending_signature(
        client, login_as, people, petition):
    client.post(f"/petitions/{petition.id}/sign",
                data={"name": "Cit", "email": "citizen@example.org", "eligible": "y"})
    before = reload(petition.id).signature_count
    login_as(client, people["citizen"])
    r = client.post(f"/petitions/{petition.id}/sign", data={"eligible": "y"})
    assert "has been counted" in r.get_data(True)
    row = _row(petition.id, "citizen@example.org")
    assert (row.state, row.user_id, row.token) == ("validated", people["citizen"].id, None)
    assert reload(petition.id).signature_count == before + 1 == count_rows(petition.id)


def _awaiting_moderation_with_a_late_sponsor(people, scheme):
    """Three sponsors sign; two confirm, which is enough: the third link is still unclicked."""
    p = sponsoring(scheme, people, title="Late sponsor", action="Count the late sponsor.",
                   now=T0)
    sponsor_token = reload(p.id).sponsor_token
    for address in ("one@example.org", "two@example.org", "late@example.org"):
        _sign(p.id, address, now=T0, sponsor_token=sponsor_token)
    for address in ("one@example.org", "two@example.org"):
        service.confirm_signature(token_for(p.id, address), now=T0)
    assert reload(p.id).state == "awaiting_moderation"
    return p


def test_a_sponsor_confirming_after_enough_others_still_counts(client, people, scheme):
    """The petition awaits moderation when the late sponsor clicks: the signature counts, and
    the petition stays in moderation until a moderator approves it."""
    p = _awaiting_moderation_with_a_late_sponsor(people, scheme)

    r = client.post(f"/petitions/confirm/{token_for(p.id, 'late@example.org')}")
    assert r.status_code == 200 and "has been confirmed" in r.get_data(True)
    late = reload(p.id)
    assert late.state == "awaiting_moderation"
    assert late.signature_count == 4 == count_rows(p.id)
    assert _row(p.id, "late@example.org").state == "validated"
    moderation.approve(p.id, actor=people["moderator"], now=NOW)
    assert reload(p.id).signature_count == 4


def test_a_rejected_petition_takes_no_late_confirmation(people, scheme):
    p = _awaiting_moderation_with_a_late_sponsor(people, scheme)
    moderation.reject(p.id, actor=people["moderator"], reason="duplicate", details="", now=NOW)
    with pytest.raises(service.SigningClosed):
        service.confirm_signature(token_for(p.id, "late@example.org"), now=NOW)
    assert reload(p.id).signature_count == 3


def test_a_creator_must_confirm_their_email_before_collecting_sponsors(scheme):
    from accounts.models import User

    unconfirmed = User(email="new@example.org", display_name="New Creator")
    db.session.add(unconfirmed)
    db.session.commit()
    p = service.create_petition(scheme_id=scheme.id, creator=unconfirmed, title="Too early",
                                action="Wait for my email.", background="", now=T0)
    with pytest.raises(service.SigningClosed, match="Confirm your email"):
        service.start_sponsoring(p.id, creator=unconfirmed, now=T0)
    p = reload(p.id)
    assert (p.state, p.sponsoring_at, p.signature_count) == ("draft", None, 0)
    assert db.session.scalar(select(func.count(Signature.id)).where(
        Signature.petition_id == p.id)) == 0


def test_over_the_domain_limit_signatures_are_fraudulent_until_the_hour_has_passed(petition):
    limits = service.SigningLimits(domain_per_hour=2, ip_burst=100, ip_sustained=100)

    def sign(address, at):
        _sign(petition.id, address, ip=None, limits=limits, now=at)
        return db.session.scalar(select(Signature.state).where(
            Signature.petition_id == petition.id, Signature.email == address))

    assert [sign(f"x{i}@spam.example", NOW + timedelta(minutes=i)) for i in range(3)] == [
        "pending", "pending", "fraudulent"]
    assert [sign(f"x{i}@gmail.com", NOW) for i in range(3)] == ["pending"] * 3  # exempt
    assert sign("x3@spam.example", NOW + timedelta(minutes=61)) == "pending"
    before = reload(petition.id).signature_count
    service.confirm_signature(token_for(petition.id, "x2@spam.example"), now=NOW)
    assert reload(petition.id).signature_count == before
