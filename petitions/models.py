"""Petition schemes, petitions and signatures (persistence only; rules live in lifecycle.py)."""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from core.process import ProcessFraming
from petitions.lifecycle import DebateState, PetitionState, ResponseState, SignatureState


def _enum(cls):
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class PetitionScheme(ProcessFraming, db.Model):
    """Admin-configured rules (Join-like, UK-like). `title` is the scheme's name."""

    __tablename__ = "petition_schemes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority: Mapped[str] = mapped_column(String(200), default="")
    sponsor_count: Mapped[int] = mapped_column(Integer, default=5)
    visibility_threshold: Mapped[int] = mapped_column(Integer, default=0)
    response_threshold: Mapped[int] = mapped_column(Integer, default=10000)
    window_days: Mapped[int] = mapped_column(Integer, default=183)
    debate_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_due_days: Mapped[int] = mapped_column(Integer, default=60)
    moderation_sla_days: Mapped[int] = mapped_column(Integer, default=14)
    area_kind: Mapped[str] = mapped_column(String(16), default="none")  # none|district|postcode
    area_choices: Mapped[str] = mapped_column(Text, default="")  # one district per line
    eligibility_text: Mapped[str] = mapped_column(String(300), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def districts(self) -> list[str]:
        return [line.strip() for line in self.area_choices.splitlines() if line.strip()]

    @property
    def asks_area(self) -> bool:
        """Signers give an area (a district or a postcode)."""
        return self.area_kind != "none"

    @property
    def district_choices(self) -> list[str]:
        """The districts to choose from, or [] where the area is typed (a postcode)."""
        return self.districts if self.area_kind == "district" else []


class Petition(db.Model):
    __tablename__ = "petitions"
    __table_args__ = (Index("ix_petitions_state_closes", "state", "closes_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("petition_schemes.id"), index=True)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[PetitionState] = mapped_column(_enum(PetitionState), default=PetitionState.DRAFT,
                                                 index=True)
    sponsor_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Frozen when the petition opens (sponsor_count when it enters sponsoring).
    sponsor_count: Mapped[int] = mapped_column(Integer, default=5)
    visibility_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    debate_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    window_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_due_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    signature_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # State timestamps.
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sponsoring_at = mapped_column(UTCDateTime, nullable=True)
    moderation_at = mapped_column(UTCDateTime, nullable=True)
    opened_at = mapped_column(UTCDateTime, nullable=True)
    closes_at = mapped_column(UTCDateTime, nullable=True)
    closed_at = mapped_column(UTCDateTime, nullable=True)
    rejected_at = mapped_column(UTCDateTime, nullable=True)
    listed_at = mapped_column(UTCDateTime, nullable=True)  # visibility threshold reached
    rejection_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rejection_details: Mapped[str] = mapped_column(Text, default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Response obligation.
    response_state: Mapped[ResponseState] = mapped_column(
        _enum(ResponseState), default=ResponseState.NOT_NEEDED, index=True)
    response_threshold_reached_at = mapped_column(UTCDateTime, nullable=True)
    response_due_at = mapped_column(UTCDateTime, nullable=True)
    response_summary: Mapped[str] = mapped_column(String(200), default="")
    response_details: Mapped[str] = mapped_column(Text, default="")
    responded_at = mapped_column(UTCDateTime, nullable=True)
    responder_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    debate_state: Mapped[DebateState] = mapped_column(
        _enum(DebateState), default=DebateState.NOT_NEEDED)
    debate_threshold_reached_at = mapped_column(UTCDateTime, nullable=True)
    # Debate outcome (EP `debate_outcome.rb`), recorded by a moderator or admin.
    debated_on = mapped_column(Date, nullable=True)
    debate_summary: Mapped[str] = mapped_column(String(500), default="")
    debate_transcript_url: Mapped[str] = mapped_column(String(500), default="")
    debate_video_url: Mapped[str] = mapped_column(String(500), default="")
    debate_outcome_at = mapped_column(UTCDateTime, nullable=True)
    last_reconciled_at = mapped_column(UTCDateTime, nullable=True)
    anonymised_at = mapped_column(UTCDateTime, nullable=True)

    scheme: Mapped[PetitionScheme] = relationship(lazy="joined")


class Signature(db.Model):
    __tablename__ = "petition_signatures"
    __table_args__ = (
        # One signature per person per petition: the ON CONFLICT target in service.sign().
        UniqueConstraint("petition_id", "canonical_email", name="uq_signature_person"),
        Index("ix_signature_ip_time", "petition_id", "ip", "created_at"),
        Index("ix_signature_domain_time", "petition_id", "email_domain", "created_at"),
        Index("ix_signature_petition_state", "petition_id", "state"),
        # Confirmation emails per address across petitions (service.sign, reliability §2d).
        Index("ix_signature_email_confirmation", "canonical_email", "confirmation_sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    canonical_email: Mapped[str] = mapped_column(String(320))
    email_domain: Mapped[str] = mapped_column(String(255), default="")
    area: Mapped[str | None] = mapped_column(String(80), nullable=True)  # as entered (PII)
    area_code: Mapped[str | None] = mapped_column(String(80), nullable=True)  # kept, published
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[SignatureState] = mapped_column(_enum(SignatureState),
                                                  default=SignatureState.PENDING)
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language of the page it was signed on: emails to a signer without an account.
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    confirmation_sent_at = mapped_column(UTCDateTime, nullable=True)  # None: no email queued
    validated_at = mapped_column(UTCDateTime, nullable=True)
    invalidated_at = mapped_column(UTCDateTime, nullable=True)


class TrendingAlert(db.Model):
    """One moderator alert per (petition, ip|domain, hour): the UNIQUE makes it exactly once."""

    __tablename__ = "petition_trending_alerts"
    __table_args__ = (UniqueConstraint("petition_id", "kind", "value", "hour",
                                       name="uq_trending_alert_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # "ip" | "domain"
    value: Mapped[str] = mapped_column(String(255))
    hour = mapped_column(UTCDateTime, nullable=False)  # start of the hour alerted
    signatures: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class AreaCount(db.Model):
    """Validated signatures of one petition from one area code (see petitions/areas.py)."""

    __tablename__ = "petition_area_counts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    signatures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
