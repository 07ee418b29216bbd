"""The daily digest's facts: what goes out tomorrow per account, and what needs
attention now (pauses, failed, missed and needs-review publications, tokens
about to expire, alert targets that do not take messages).

Read on the campaign clock, so a rehearsal has a digest for every campaign day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.storage.database import reading
from scheduler.storage.deliveries import target_backlog
from scheduler.storage.models import QUEUED, Hold, Publication
from scheduler.storage.queries import state_counts

_ATTENTION_STATES = (
    ("needs_review", "need review: `campaign history --state needs_review`"),
    ("failed", "failed: `campaign history --state failed`"),
    ("missed", "missed: `campaign history --state missed`"),
)


def digest_moment(config: CampaignConfig, day: date) -> datetime:
    """When the digest of local ``day`` is due: ``alerts.digest_at`` that day (aware)."""
    hours, minutes = (int(part) for part in config.alerts.digest_at.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=config.campaign.zone)


def in_season(config: CampaignConfig, day: date) -> bool:
    """True from the day before the campaign window opens to its last day: a
    digest is sent then even when nothing is queued (its arrival says all is well)."""
    window = config.campaign.window
    return window.start - timedelta(days=1) <= day <= window.end


def digest_facts(
    sessions: sessionmaker[Session],
    config: CampaignConfig,
    now: datetime,
    extra_attention: Sequence[str] = (),
) -> dict[str, Any]:
    """The digest's facts at ``now`` (aware UTC): ``date`` and ``tomorrow_date``
    (local, ISO), ``tomorrow`` (account label -> [["HH:MM", post id], ...] in
    local time order), ``attention`` (lines, most urgent first).

    :raises StorageError: when the database cannot be read.
    """
    zone = config.campaign.zone
    today = now.astimezone(zone).date()
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=zone)
    end = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=zone)
    plan: dict[str, list[list[str]]] = {account.label: [] for account in config.accounts}
    attention: list[str] = []
    with reading(sessions) as session:
        rows = session.execute(
            select(Publication.account_label, Publication.next_attempt_at, Publication.post_id)
            .where(
                Publication.state.in_(QUEUED),
                Publication.next_attempt_at >= start,
                Publication.next_attempt_at < end,
            )
            .order_by(Publication.next_attempt_at, Publication.id)
        ).all()
        for label, due, post_id in rows:
            plan.setdefault(label, []).append([f"{due.astimezone(zone):%H:%M}", post_id])
        for hold in session.scalars(select(Hold).order_by(Hold.scope)):
            if hold.until is None or hold.until > now:
                where = "the campaign" if hold.scope == "campaign" else hold.scope.split(":", 1)[1]
                attention.append(f"{where} is paused: {hold.reason}")
        counts = state_counts(session)
    for state, words in _ATTENTION_STATES:
        if counts.get(state):
            attention.append(f"{counts[state]} publication(s) {words}")
    attention += extra_attention
    for backlog in target_backlog(sessions):
        if backlog.failed or (backlog.pending and backlog.last_error):
            attention.append(
                f"alerts to {backlog.target} are not getting through "
                f"({backlog.pending} waiting, {backlog.failed} given up): {backlog.last_error}"
            )
    return {
        "date": today.isoformat(),
        "tomorrow_date": f"{tomorrow:%a %d %b %Y}",
        "tomorrow": plan,
        "attention": attention,
    }
