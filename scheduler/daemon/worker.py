"""One publication, end to end: claim -> media upload -> create -> record.

:func:`publish` is what each scheduled job runs. The order of the steps is what
makes the daemon exactly-once:

1. **claim** (one conditional UPDATE; see :mod:`scheduler.storage.claims`):
   only the claimer goes on;
2. **media upload**: invisible on the platform, so any failure is safe to retry;
3. **mark "create sending"** (``needs_reconcile``) and renew the lease, in the
   database, *before* the create call: from here on a crash is reconciled,
   never retried blindly;
4. **create**, once. A definite answer is recorded; an unknown outcome or a
   duplicate refusal is reconciled at once (:mod:`scheduler.daemon.reconcile`);
5. **record** the result, conditional on still holding the claim.

The named crash points (:mod:`scheduler.daemon.crashpoints`) sit between these
steps.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.alerts.pipeline import with_alerts
from scheduler.clock import Clock, log_time
from scheduler.config import CampaignConfig
from scheduler.daemon.attachments import attachments, link_card, uploaded
from scheduler.daemon.budget import Spending, before_create, priced, with_reads
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.failures import auth_settlement, failure_settlement
from scheduler.daemon.limits import AccountLimits
from scheduler.daemon.publishers import PublisherPool
from scheduler.daemon.reconcile import post_request, reconcile
from scheduler.daemon.results import DatabaseFaults, Results
from scheduler.errors import (
    CampaignError,
    DuplicateContent,
    PublishError,
    UnknownOutcome,
)
from scheduler.platforms.base import MediaFile, Publisher
from scheduler.storage.attempts import Claim, with_history
from scheduler.storage.claims import claim
from scheduler.storage.models import PublicationState
from scheduler.storage.settlements import Settlement, mark_create_sending

logger = logging.getLogger(__name__)

# Wall seconds an older post that has just become due keeps first claim on its
# account's free slot (see :func:`scheduler.storage.claims.claim`).
SLOT_YIELD_WALL_S = 1.0

# (event, publication id, account label): "claimed" and "settled", for observers
# such as the rehearsal's report.
Observer = Callable[[str, int, str], None]


@dataclass
class WorkerContext:
    """Everything a job needs, shared by every job of one daemon.

    ``lease_wall_s`` is the claim's lease in wall seconds (converted to campaign
    time through the clock, so a sped-up rehearsal keeps real leases).
    ``wake_alerts`` tells the alert sender an event was recorded.
    ``database_faults`` refuses records on purpose (rehearsals, tests); ``results``
    records results and keeps those the database refused
    (:mod:`scheduler.daemon.results`).
    ``prepared_video`` gives a video uploaded ahead, when there is one.
    """

    sessions: sessionmaker[Session]
    config: CampaignConfig
    clock: Clock
    worker_id: str
    limits: AccountLimits
    publishers: PublisherPool
    crash: CrashPoints = field(default_factory=CrashPoints)
    rng: random.Random = field(default_factory=random.Random)
    lease_wall_s: float | None = None
    observer: Observer | None = None
    wake_alerts: Callable[[], None] | None = None
    database_faults: DatabaseFaults | None = None
    prepared_video: Callable[[int, MediaFile, datetime], str | None] | None = None
    results: Results = field(init=False)

    def __post_init__(self) -> None:
        self.results = Results(self.sessions, self.database_faults, self._recorded)

    def _recorded(self, settlement: Settlement) -> None:
        if (settlement.events or settlement.hold_event) and self.wake_alerts is not None:
            self.wake_alerts()

    def campaign_duration(self, wall_seconds: float) -> timedelta:
        """The campaign time that passes during ``wall_seconds`` of wall time."""
        return timedelta(seconds=wall_seconds / self.clock.wall_seconds(1.0))

    def lease_until(self, now: datetime) -> datetime:
        lease = (
            self.lease_wall_s if self.lease_wall_s is not None else self.config.publishing.lease_s
        )
        return now + self.campaign_duration(lease)

    def notify(self, event: str, publication_id: int, account_label: str) -> None:
        if self.observer is not None:
            self.observer(event, publication_id, account_label)


@dataclass(frozen=True)
class JobOutcome:
    """What the runner does next: ``done``; ``again`` at ``due_at`` (campaign UTC);
    ``held`` (a pause blocks it until ``campaign resume``)."""

    kind: str
    due_at: datetime | None = None
    reason: str = ""


DONE = JobOutcome("done")


def publish(ctx: WorkerContext, publication_id: int) -> JobOutcome:
    """Claim and publish one publication if it is due; never raises PublishError.


    :raises StorageError: when the database refuses (the claim, if any, is then
        recovered by lease expiry).
    """
    now = ctx.clock.now()
    result = claim(
        ctx.sessions,
        publication_id,
        worker_id=ctx.worker_id,
        now=now,
        lease_until=ctx.lease_until(now),
        policy=ctx.limits,
        due_slack=ctx.campaign_duration(0.001),
        yield_window=ctx.campaign_duration(SLOT_YIELD_WALL_S),
    )
    if result.status == "claimed":
        assert result.claim is not None
        return publish_claimed(ctx, result.claim)
    if result.status in ("not_due", "deferred"):
        if result.status == "deferred":
            logger.info(
                "publication %s waits until %s: %s",
                publication_id,
                log_time(result.due_at),
                result.reason,
            )
        return JobOutcome("again", result.due_at, result.reason)
    if result.status == "held":
        return JobOutcome("held", result.due_at, result.reason)
    if result.status == "missed":
        logger.warning("publication %s missed: %s", publication_id, result.reason)
    return DONE


def publish_claimed(ctx: WorkerContext, held: Claim) -> JobOutcome:
    """Publish (or reconcile) a publication this worker has just claimed or taken over."""
    ctx.notify("claimed", held.publication_id, held.account_label)
    try:
        return _publish_claimed(ctx, held)
    finally:
        ctx.notify("settled", held.publication_id, held.account_label)


def _reconcile(
    ctx: WorkerContext, publisher: Publisher, held: Claim, *, cause: PublishError | None
) -> Settlement:
    """Look for the post on the platform with this daemon's retry policy."""
    publishing = ctx.config.publishing
    read_before = publisher.posts_read
    settlement = reconcile(
        publisher,
        with_history(ctx.sessions, held),
        ctx.clock.now(),
        cause=cause,
        max_attempts=publishing.max_attempts,
        backoff_base_s=publishing.backoff_base_s,
        backoff_max_s=publishing.backoff_max_s,
        rng=ctx.rng,
    )
    return with_reads(settlement, ctx.config, held, publisher.posts_read - read_before)


def _publish_claimed(ctx: WorkerContext, held: Claim) -> JobOutcome:
    ctx.crash.reached("after_claim")
    try:
        publisher = ctx.publishers.get(held.account_label)
    except CampaignError as error:
        return _record(ctx, held, auth_settlement(held, str(error), None, ctx.clock.now()))
    if held.needs_reconcile:
        return _record(ctx, held, _reconcile(ctx, publisher, held, cause=None))
    paused, spending = before_create(ctx.config, ctx.sessions, held, ctx.clock.now())
    if paused is not None:
        return _record(ctx, held, paused)
    try:
        ahead = ctx.prepared_video if held.video is not None else None
        media_ids = [
            uploaded(publisher, media, ahead, held.publication_id, ctx.clock.now())
            for media in attachments(ctx.config, held)
        ]
    except PublishError as error:
        return _record(ctx, held, _failed(ctx, held, error, publisher))
    except OSError as error:
        failed = Settlement(
            state=PublicationState.FAILED,
            outcome="rejected",
            last_error=f"cannot read a media file of {held.post_id}: {error}",
        )
        return _record(ctx, held, failed)
    ctx.crash.reached("after_media_upload")
    now = ctx.clock.now()
    if not mark_create_sending(ctx.sessions, held, now, ctx.lease_until(now)):
        logger.error(
            "publication %s: the claim was taken over before the create call; not sending",
            held.publication_id,
        )
        return DONE
    try:
        with ctx.crash.in_flight("after_create_sent"):
            post = publisher.create_post(
                held.text,
                media_ids,
                held.link,
                request=post_request(held, link_card(ctx.config, held)),
            )
    except (UnknownOutcome, DuplicateContent) as error:
        return _record(ctx, held, _reconcile(ctx, publisher, held, cause=error))
    except PublishError as error:
        return _record(ctx, held, _failed(ctx, held, error, publisher))
    ctx.crash.reached("before_result_recorded")
    now = ctx.clock.now()
    late = (now - held.scheduled_at).total_seconds()
    logger.info(
        "published %s to %s: %s (%.1f s after its time)",
        held.post_id,
        held.account_label,
        post.url,
        late,
    )
    done = Settlement(
        state=PublicationState.PUBLISHED,
        outcome="published",
        posted=True,
        platform_post_id=post.platform_post_id,
        platform_url=post.url,
    )
    return _record(ctx, held, done, spending)


def _failed(
    ctx: WorkerContext, held: Claim, error: PublishError, publisher: Publisher
) -> Settlement:
    """How the attempt ends after a definite failure, with the tries it used so far
    and the host's clock skew measured by ``publisher``."""
    publishing = ctx.config.publishing
    return failure_settlement(
        with_history(ctx.sessions, held),
        error,
        ctx.clock.now(),
        publishing,
        ctx.rng,
        publisher.skew_behind_refusal(),
    )


def _record(
    ctx: WorkerContext, held: Claim, settlement: Settlement, spending: Spending | None = None
) -> JobOutcome:
    now = ctx.clock.now()
    settlement = with_alerts(settlement, held, ctx.config, now)
    settlement = priced(settlement, ctx.config, held, spending, now)
    recorded = ctx.results.record(held, now, settlement)
    if recorded is None:
        return DONE  # kept in memory; the refresh loop records it when the database answers
    if not recorded:
        logger.error(
            "publication %s: the claim was taken over while publishing; "
            "the new holder reconciles it",
            held.publication_id,
        )
        return DONE
    if settlement.state in (PublicationState.RETRYING, PublicationState.PENDING):
        return JobOutcome("again", settlement.next_attempt_at, settlement.last_error or "")
    if settlement.reconcile_at is not None:
        return DONE  # the lease-expiry recovery looks again at reconcile_at
    return DONE
