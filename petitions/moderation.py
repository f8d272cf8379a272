"""Staff use cases: schemes (admin), moderation and invalidation, official responses.

Every staff action writes `core.audit.record` in the same transaction (docs/ARCHITECTURE.md).
"""
from __future__ import annotations

import ipaddress
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from accounts.service import languages_of
from core import audit
from core.db import NO_SYNC, db, upsert, write_transaction
from core.mail import OutboxEmail, Render, default_language, render_in
from core.roles import Role
from core.states import may_move_to
from petitions import areas, lifecycle
from petitions import trending as trending_rules
from petitions.labels import REJECTION_REASONS
from petitions.lifecycle import (
    SIGNATURE_TRANSITIONS,
    DebateOutcome,
    DebateState,
    FrozenRules,
    PetitionState,
    RejectionReason,
    ResponseState,
)
from petitions.models import Petition, PetitionScheme, Signature, SignatureState, TrendingAlert
from petitions.service import NotFound, get_petition
from petitions.thresholds import (
    cross_thresholds,
    notify_creator,
    notify_role,
    uncross_thresholds,
)

log = logging.getLogger(__name__)

SCHEME_FIELDS = ("title", "description", "authority", "commitment", "audience", "sponsor_count",
                 "visibility_threshold", "response_threshold", "window_days",
                 "debate_threshold", "response_due_days", "moderation_sla_days", "area_kind",
                 "area_choices", "eligibility_text")
EMAIL_BATCH = 500


def save_scheme(scheme_id: int | None, *, actor, now: datetime, **fields) -> PetitionScheme:
    """Create or edit a scheme. Open petitions keep the numbers frozen when they opened."""
    FrozenRules(sponsor_count=fields["sponsor_count"],
                visibility_threshold=fields["visibility_threshold"],
                response_threshold=fields["response_threshold"],
                window_days=fields["window_days"], response_due_days=fields["response_due_days"],
                debate_threshold=fields.get("debate_threshold"))  # raises ValueError if bad
    with write_transaction():
        scheme = PetitionScheme() if scheme_id is None else db.session.get(PetitionScheme,
                                                                           scheme_id)
        if scheme is None:
            raise NotFound(scheme_id)
        for name in SCHEME_FIELDS:
            if name in fields:
                setattr(scheme, name, fields[name])
        db.session.add(scheme)
        db.session.flush()
        audit.record(actor, "scheme.saved", "petition_scheme", scheme.id, now=now)
    return scheme


def approve(petition_id: int, *, actor, now: datetime) -> Petition:
    """Awaiting moderation → open; copies the scheme's thresholds, window and due days."""
    with write_transaction():
        petition = get_petition(petition_id)
        lifecycle.check_transition(petition.state, PetitionState.OPEN)
        scheme = petition.scheme
        petition.state = PetitionState.OPEN
        petition.opened_at = now
        petition.visibility_threshold = scheme.visibility_threshold
        petition.response_threshold = scheme.response_threshold
        petition.debate_threshold = scheme.debate_threshold
        petition.window_days = scheme.window_days
        petition.response_due_days = scheme.response_due_days
        petition.closes_at = lifecycle.closes_at(opened_at=now, window_days=scheme.window_days)
        db.session.flush()
        audit.record(actor, "petition.approved", "petition", petition.id, now=now)
        cross_thresholds(petition, now=now)
        notify_creator(petition, lambda: (
            _("Your petition is open"),
            _("“%(title)s” is now open for signatures.", title=petition.title)))
    return petition


def reject(petition_id: int, *, actor, reason: str, details: str, now: datetime) -> Petition:
    """Awaiting moderation → rejected with a coded reason; some reasons hide the text."""
    code = RejectionReason(reason)
    with write_transaction():
        petition = get_petition(petition_id)
        lifecycle.check_transition(petition.state, PetitionState.REJECTED)
        petition.state = PetitionState.REJECTED
        petition.rejected_at = now
        petition.rejection_code = code.value
        petition.rejection_details = details[:4000]
        petition.hidden = code in lifecycle.HIDDEN_REASONS
        audit.record(actor, "petition.rejected", "petition", petition.id, now=now,
                     reason=code.value, hidden=petition.hidden)
        notify_creator(petition, lambda: (
            _("Your petition was rejected"),
            _("“%(title)s” was rejected (%(reason)s).", title=petition.title,
              reason=REJECTION_REASONS[code])))
    return petition


def publish_response(petition_id: int, *, actor, summary: str, details: str, now: datetime,
                     petition_link: str) -> int:
    """Awaiting response → responded; emails every validated signer who opted in.

    Emails go into the outbox in batches of EMAIL_BATCH rows (one bulk INSERT each) in the
    same transaction. Returns the number of emails queued.
    """
    if not summary.strip() or len(summary) > 200 or len(details) > 6000:
        raise ValueError("summary must be 1-200 characters and details at most 6,000")
    with write_transaction():
        petition = get_petition(petition_id)
        lifecycle.check_response_transition(petition.response_state, ResponseState.RESPONDED)
        petition.response_state = ResponseState.RESPONDED
        petition.response_summary = summary.strip()
        petition.response_details = details.strip()
        petition.responded_at = now
        petition.responder_id = actor.id
        audit.record(actor, "petition.responded", "petition", petition.id, now=now,
                     overdue_days=lifecycle.days_overdue(due=petition.response_due_at,
                                                         responded_at=None, now=now))
        title, summary = petition.title, summary.strip()
        return _email_signers(petition.id, lambda: (
            _("Response to the petition “%(title)s”", title=title),
            _("%(summary)s\n\nRead the full response: %(link)s", summary=summary,
              link=petition_link)), now=now)


def _email_signers(petition_id: int, render: Render, *, now: datetime) -> int:
    """Queue one email to every validated signer who opted in, in batches of EMAIL_BATCH rows
    (one bulk INSERT each), inside the caller's transaction. Returns how many were queued.
    Each is written in the signer's language: their account's choice, else that of the page
    they signed on, else the default (`render` runs once per language)."""
    rows = db.session.execute(select(Signature.email, Signature.user_id, Signature.language)
                              .where(Signature.petition_id == petition_id,
                                     Signature.state == SignatureState.VALIDATED,
                                     Signature.notify_by_email.is_(True),
                                     Signature.email != "")).all()
    chosen = languages_of(uid for _email, uid, _lang in rows)
    default = default_language()
    recipients = [(to, chosen.get(uid) or lang or default) for to, uid, lang in rows]
    texts = {lang: render_in(lang, render) for lang in {lang for _to, lang in recipients}}
    for start in range(0, len(recipients), EMAIL_BATCH):
        db.session.execute(insert(OutboxEmail), [
            {"to": to, "subject": texts[lang][0], "body": texts[lang][1], "created_at": now}
            for to, lang in recipients[start:start + EMAIL_BATCH]])
    return len(recipients)


def record_debate_outcome(petition_id: int, *, actor, outcome: DebateOutcome,
                          now: datetime, petition_link: str) -> int:
    """Awaiting debate → debated / not debated, with date, summary and optional links.

    Like the UK site's debate-outcome mail, every validated signer who opted in is emailed
    (same transaction, batched). Returns the number of emails queued.
    """
    if not isinstance(outcome, DebateOutcome):
        raise TypeError("outcome must be a lifecycle.DebateOutcome")
    with write_transaction():
        petition = get_petition(petition_id)
        lifecycle.check_debate_transition(petition.debate_state, outcome.outcome)
        petition.debate_state = outcome.outcome
        petition.debated_on = outcome.on
        petition.debate_summary = outcome.summary.strip()
        petition.debate_transcript_url = outcome.transcript_url
        petition.debate_video_url = outcome.video_url
        petition.debate_outcome_at = now
        audit.record(actor, "petition.debate_outcome", "petition", petition.id, now=now,
                     outcome=str(outcome.outcome), on=outcome.on.isoformat())
        title, summary = petition.title, petition.debate_summary
        debated = outcome.outcome == DebateState.DEBATED

        def render() -> tuple[str, str]:
            if debated:
                subject = _("The petition “%(title)s” was debated", title=title)
            else:
                subject = _("The petition “%(title)s” will not be debated", title=title)
            return subject, _("%(summary)s\n\nRead more: %(link)s", summary=summary,
                              link=petition_link)
        return _email_signers(petition.id, render, now=now)


@dataclass(frozen=True)
class InvalidationCriteria:
    """Which signatures of one petition to invalidate (EP `Invalidation`): at least one filter."""

    petition_id: int
    ip: str | None = None
    domain: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self):
        if not (self.ip or self.domain or self.since or self.until):
            raise ValueError("give an IP, a domain or a time window")
        if self.ip:
            ipaddress.ip_network(self.ip.strip(), strict=False)  # ValueError if not an IP/CIDR

    def _ip_clause(self):
        """One address matches as written and in canonical form; a network (CIDR such as
        203.0.113.0/24) matches every address of this petition's signatures inside it."""
        text = self.ip.strip()
        network = ipaddress.ip_network(text, strict=False)
        if "/" not in text:
            return Signature.ip.in_({text, str(network.network_address)})
        seen = db.session.scalars(select(Signature.ip).distinct().where(
            Signature.petition_id == self.petition_id, Signature.ip.is_not(None))).all()
        return Signature.ip.in_([ip for ip in seen if _inside(ip, network)])

    def where(self):
        clauses = [Signature.petition_id == self.petition_id,
                   may_move_to(Signature.state, SIGNATURE_TRANSITIONS,
                               SignatureState.INVALIDATED)]
        if self.ip:
            clauses.append(self._ip_clause())
        if self.domain:
            clauses.append(Signature.email_domain == self.domain.strip().lower())
        if self.since:
            clauses.append(Signature.created_at >= self.since)
        if self.until:
            clauses.append(Signature.created_at < self.until)
        return clauses


def _inside(ip: str, network) -> bool:
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:  # a stored value that is not an address matches no network
        return False


def invalidation_preview(criteria: InvalidationCriteria) -> dict[str, int]:
    """How many signatures per state the invalidation would hit (nothing changes)."""
    rows = db.session.execute(select(Signature.state, func.count(Signature.id))
                              .where(*criteria.where()).group_by(Signature.state)).all()
    return {str(state): n for state, n in rows}


def invalidate(criteria: InvalidationCriteria, *, actor, now: datetime) -> int:
    """Invalidate matching signatures; uncount validated ones and clear unsupported thresholds."""
    with write_transaction():
        get_petition(criteria.petition_id)
        uncounted = db.session.execute(
            update(Signature).where(*criteria.where(),
                                    Signature.state == SignatureState.VALIDATED)
            .values(state=SignatureState.INVALIDATED, invalidated_at=now)
            .returning(Signature.area_code), execution_options=NO_SYNC).scalars().all()
        was_validated = len(uncounted)
        areas.add(criteria.petition_id, {code: -n for code, n in Counter(uncounted).items()})
        others = db.session.execute(
            update(Signature).where(*criteria.where())
            .values(state=SignatureState.INVALIDATED, invalidated_at=now, token=None),
            execution_options=NO_SYNC).rowcount
        db.session.execute(update(Petition).where(Petition.id == criteria.petition_id)
                           .values(signature_count=Petition.signature_count - was_validated),
                           execution_options=NO_SYNC)
        uncross_thresholds(criteria.petition_id)
        # IPs are personal data: the audit log says which filters were used, not their values.
        audit.record(actor, "signatures.invalidated", "petition", criteria.petition_id,
                     now=now, uncounted=was_validated, others=others,
                     by_ip=bool(criteria.ip), domain=criteria.domain)
    return was_validated + others


TRENDING_COLUMNS = (("ips", "ip", Signature.ip), ("domains", "domain", Signature.email_domain))


def trending(*, now: datetime, hours: int = 1, limit: int = 20,
             min_count: int = 1) -> dict[str, list]:
    """Top IPs and email domains by signatures per petition in the last `hours` (EP trending).

    Returns {"ips": [(petition_id, ip, n)], "domains": [(petition_id, domain, n)]}.
    """
    since = now - timedelta(hours=hours)
    out = {}
    for key, _kind, column in TRENDING_COLUMNS:
        n = func.count(Signature.id)
        out[key] = db.session.execute(
            select(Signature.petition_id, column, n.label("n"))
            .where(Signature.created_at >= since, Signature.created_at <= now,
                   column.is_not(None), column != "")
            .group_by(Signature.petition_id, column).having(n >= min_count)
            .order_by(n.desc(), Signature.petition_id, column).limit(limit)).all()
    return out


def report_trending(*, now: datetime, log_at: int, notify_at: int,
                    limit: int = 20) -> list[tuple[trending_rules.TrendingItem,
                                                   trending_rules.Level, bool]]:
    """The hourly trending report: log items ≥ `log_at`, email moderators for ≥ `notify_at`.

    Each (petition, ip/domain, hour) alerts at most once: the alert row's UNIQUE constraint
    decides, so overlapping runs cannot both email. Returns (item, level, emailed now).
    """
    rows = trending(now=now, hours=1, limit=limit, min_count=log_at)
    items = [trending_rules.TrendingItem(pid, kind, value, n)
             for key, kind, _column in TRENDING_COLUMNS for pid, value, n in rows[key]]
    hour = trending_rules.hour_of(now)
    report = []
    with write_transaction():
        for item, level in trending_rules.classify(items, log_at=log_at, notify_at=notify_at):
            log.warning("trending %s %s on petition %s: %s signatures in the last hour",
                        item.kind, item.value, item.petition_id, item.count)
            emailed = False
            if level == trending_rules.Level.NOTIFY:
                stmt = upsert(TrendingAlert).values(
                    petition_id=item.petition_id, kind=item.kind, value=item.value, hour=hour,
                    signatures=item.count, created_at=now).on_conflict_do_nothing(
                    index_elements=["petition_id", "kind", "value", "hour"])
                emailed = db.session.execute(stmt.returning(TrendingAlert.id)).first() is not None
            if emailed:
                notify_role(Role.MODERATOR, partial(_trending_email, item), now=now)
            report.append((item, level, emailed))
    return report


def _trending_email(item: trending_rules.TrendingItem) -> tuple[str, str]:
    return (_("Trending signatures on petition %(id)s", id=item.petition_id),
            _("%(count)s signatures in the last hour on petition %(id)s came from the "
              "%(kind)s %(value)s. Review them in the moderation queue.",
              count=format_decimal(item.count),
              id=item.petition_id,
              kind=_("IP address") if item.kind == "ip" else _("email domain"),
              value=item.value))


def moderation_queue(*, now: datetime) -> list[tuple[Petition, str]]:
    """Petitions awaiting moderation, oldest first, with their SLA status."""
    petitions = db.session.scalars(select(Petition).where(
        Petition.state == PetitionState.AWAITING_MODERATION)
        .order_by(Petition.moderation_at)).all()
    return [(p, lifecycle.moderation_sla_status(waiting_since=p.moderation_at,
                                                sla_days=p.scheme.moderation_sla_days, now=now))
            for p in petitions]


def awaiting_response(*, now: datetime) -> list[tuple[Petition, int]]:
    """Officials' dashboard: awaiting response by due date (so overdue first), days overdue."""
    petitions = db.session.scalars(select(Petition).where(
        Petition.response_state == ResponseState.AWAITING)
        .order_by(Petition.response_due_at, Petition.id)).all()
    return [(p, lifecycle.days_overdue(due=p.response_due_at, responded_at=None, now=now))
            for p in petitions]
