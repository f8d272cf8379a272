"""Demo petitions for `flask seed-demo`: a Join-like and a UK-like scheme, one petition per state.

Idempotent: does nothing if the Join-like scheme already exists. Demo signers use
example.org addresses and TEST-NET IPs (192.0.2.0/24).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from core.db import db, write_transaction
from core.process import Commitment
from core.roles import Role
from petitions import areas, jobs, moderation, service, thresholds
from petitions.identity import area_code
from petitions.models import Petition, PetitionScheme, Signature, SignatureState

JOIN = "Join-like (5,000 in 60 days)"
UK = "UK-like (10,000 in 6 months)"
DISTRICTS = ["Zhongzheng", "Da'an", "Xinyi", "Wanhua", "Beitou"]
POSTCODES = ["SW1A 1AA", "M1 1AE", "EH1 1YZ", "CF10 1EP", "BT1 5GS"]


def _add_signatures(petition_id: int, count: int, *, at: datetime) -> None:
    """Bulk-insert validated demo signatures, move the counter, stamp thresholds."""
    if count <= 0:
        return
    with write_transaction():
        petition = db.session.get(Petition, petition_id)
        kind = petition.scheme.area_kind
        choices = DISTRICTS if kind == "district" else POSTCODES
        start = petition.signature_count
        rows = []
        for i in range(start, start + count):
            email = f"demo{petition_id}-{i}@example.org"
            area = choices[i % len(choices)] if kind != "none" else None
            rows.append({"petition_id": petition_id, "name": f"Demo signer {i}", "email": email,
                         "canonical_email": email, "email_domain": "example.org",
                         "area": area, "area_code": area_code(area, kind=kind),
                         "ip": f"192.0.2.{i % 250 + 1}", "state": SignatureState.VALIDATED,
                         "notify_by_email": i % 3 == 0, "created_at": at, "validated_at": at})
        db.session.execute(insert(Signature), rows)
        areas.add(petition_id, Counter(row["area_code"] for row in rows))
        db.session.execute(update(Petition).where(Petition.id == petition_id)
                           .values(signature_count=Petition.signature_count + count),
                           execution_options={"synchronize_session": False})
        thresholds.cross_thresholds(petition, now=at)


def _petition(scheme, creator, moderator, title, action, *, created, stage, signatures=0,
              signed_at=None):
    """Walk one petition through the real service functions up to `stage`."""
    p = service.create_petition(scheme_id=scheme.id, creator=creator, title=title,
                                action=action, background="", now=created)
    if stage == "draft":
        return p
    service.start_sponsoring(p.id, creator=creator, now=created)
    if stage == "sponsoring":
        _add_signatures(p.id, 2, at=created + timedelta(hours=2))
        return p
    _add_signatures(p.id, scheme.sponsor_count, at=created + timedelta(hours=3))
    if stage == "awaiting_moderation":
        return p
    if stage == "rejected":
        return moderation.reject(p.id, actor=moderator, reason="duplicate",
                                 details="Already covered by an open petition.",
                                 now=created + timedelta(days=2))
    moderation.approve(p.id, actor=moderator, now=created + timedelta(days=2))
    if signatures:
        _add_signatures(p.id, signatures, at=signed_at or created + timedelta(days=10))
    return p


def seed(users, now) -> None:
    """Create demo petition schemes and petitions (idempotent)."""
    if db.session.scalar(select(PetitionScheme.id).where(PetitionScheme.title == JOIN)):
        return
    admin, moderator = users[Role.ADMIN], users[Role.MODERATOR]
    official, citizen = users[Role.OFFICIAL], users[Role.CITIZEN]
    join = moderation.save_scheme(
        None, actor=admin, now=now, title=JOIN, authority="Executive Yuan agencies",
        description="Modelled on Taiwan's Join platform: the responsible agency must answer a "
                    "proposal that gathers 5,000 supports within 60 days, within 2 months.",
        commitment=Commitment.BINDING, sponsor_count=0, visibility_threshold=0,
        response_threshold=5000, window_days=60, debate_threshold=None, response_due_days=60,
        moderation_sla_days=5, area_kind="district", area_choices="\n".join(DISTRICTS),
        eligibility_text="Anyone with a verified email may support a proposal.")
    uk = moderation.save_scheme(
        None, actor=admin, now=now, title=UK, authority="Government",
        description="Modelled on the UK Parliament petitions site: 5 sponsors, a government "
                    "response at 10,000 signatures, a debate considered at 100,000.",
        commitment=Commitment.ADVISORY, sponsor_count=5, visibility_threshold=0,
        response_threshold=10000, window_days=183, debate_threshold=100000,
        response_due_days=60, moderation_sla_days=14, area_kind="postcode", area_choices="",
        eligibility_text="British citizens and UK residents may sign.")
    day = timedelta(days=1)
    _petition(uk, citizen, moderator, "Plant a tree for every child born",
              "Fund one new street tree per birth registered.", created=now - day,
              stage="sponsoring")
    _petition(uk, citizen, moderator, "Publish school air-quality readings",
              "Require schools to publish CO2 readings weekly.", created=now - 3 * day,
              stage="awaiting_moderation")
    _petition(uk, citizen, moderator, "Free bus travel for under-18s",
              "Make local buses free for everyone under 18.", created=now - 40 * day,
              stage="open", signatures=1234)
    _petition(join, citizen, moderator, "Extend library opening hours to midnight",
              "Open city libraries until midnight during exam season.", created=now - 50 * day,
              stage="open", signatures=5020, signed_at=now - 20 * day)
    _petition(join, citizen, moderator, "Ban single-use plastic cups at events",
              "Require reusable cups at public events.", created=now - 110 * day,
              stage="open", signatures=5100, signed_at=now - 75 * day)  # overdue by ~15 days
    answered = _petition(join, citizen, moderator, "Add bicycle lanes on Xinyi Road",
                         "Build protected bicycle lanes along Xinyi Road.",
                         created=now - 100 * day, stage="open", signatures=5300,
                         signed_at=now - 60 * day)
    moderation.publish_response(
        answered.id, actor=official, summary="Protected lanes will be built in 2027.",
        details="The Department of Transportation accepts the proposal and will consult "
                "residents on the design.", now=now - 30 * day, petition_link="/petitions/")
    _petition(uk, citizen, moderator, "Keep post offices open on Saturdays",
              "Stop closing post offices on Saturdays.", created=now - 220 * day,
              stage="open", signatures=310, signed_at=now - 200 * day)
    _petition(uk, citizen, moderator, "Make Pi Day a bank holiday",
              "Declare 14 March a bank holiday.", created=now - 10 * day, stage="rejected")
    jobs.tick(now=now)  # the 220-day-old petition's window has ended
