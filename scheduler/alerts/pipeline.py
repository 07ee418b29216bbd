"""The alerts a publication's settlement raises, recorded in its transaction.

The worker hands every settlement through :func:`with_alerts` before recording
it: a publication that failed or needs review gives that event; a rate limit
that holds the post back longer than ``alerts.rate_limit_late_min`` gives a
``rate_limited`` event (a short wait is not news); a pause of the account gives
``account_paused``, recorded only when this pause is the one that stands.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from scheduler.config import CampaignConfig
from scheduler.storage.attempts import Claim
from scheduler.storage.models import PublicationState
from scheduler.storage.outbox import NewEvent, account_paused_event, publication_event
from scheduler.storage.settlements import Settlement

_KINDS = {PublicationState.FAILED: "failed", PublicationState.NEEDS_REVIEW: "needs_review"}


def with_alerts(
    settlement: Settlement, held: Claim, config: CampaignConfig, now: datetime
) -> Settlement:
    """``settlement`` carrying the alerts it raises (module docstring); ``now`` is
    the time it is recorded at (aware UTC)."""

    def about(kind: str, key: str, reason: str | None, **more: object) -> NewEvent:
        return publication_event(
            kind,
            key,
            now,
            publication_id=held.publication_id,
            post_id=held.post_id,
            account=held.account_label,
            platform=held.platform,
            scheduled_at=held.scheduled_at,
            reason=reason,
            **more,
        )

    events: list[NewEvent] = []
    kind = _KINDS.get(settlement.state)
    if kind is not None:
        key = f"{kind}:{held.publication_id}:{held.attempt_id}"
        events.append(about(kind, key, settlement.last_error))
    reset = settlement.rate_limited_until
    if reset is not None:
        late = reset - held.scheduled_at
        if late > timedelta(minutes=config.alerts.rate_limit_late_min):
            key = f"rate_limited:{held.account_label}:{reset.isoformat()}"
            minutes = round(late.total_seconds() / 60, 1)
            reason = settlement.rate_limit_reason
            events.append(
                about("rate_limited", key, reason, reset_at=reset.isoformat(), late_min=minutes)
            )
    paused = None
    if settlement.hold_reason is not None:
        paused = account_paused_event(
            held.account_label, settlement.hold_reason, held.worker_id, now
        )
    if not events and paused is None:
        return settlement
    return dataclasses.replace(settlement, events=tuple(events), hold_event=paused)
