"""The events no change of the queue raises: the daily digest, a token about to
expire, a daemon gone silent, and no daemon at all while posts are due.

Every daemon runs :meth:`Watcher.check` from its refresh loop, on the campaign
clock; ``campaign watch`` (cron, a systemd timer) runs :func:`watch_once`, which
also raises "no live daemon" and sends what waits in the outbox, since no daemon
may be alive to do it. Every event has a key naming what happened (the digest
of one local day, one expiry of one token, one silence of one daemon), so
several daemons, and watch beside them, raise each one once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.alerts.digest import digest_facts, digest_moment, in_season
from scheduler.alerts.expiry import Verify, expiring_tokens
from scheduler.config import CampaignConfig
from scheduler.storage.database import reading
from scheduler.storage.models import QUEUED, Publication, Worker
from scheduler.storage.outbox import NewEvent, has_event, record_events

logger = logging.getLogger(__name__)

# The kind of a digest with nothing to say: recorded, heard by no target.
QUIET_DIGEST = "digest_quiet"
# A silence older than this when first seen is old news (a daemon killed last
# week), not an alert.
SILENCE_NEWS_FOR = timedelta(hours=24)


class Watcher:
    """Raises the digest, token-expiry and silent-daemon events of one database.

    ``stale_after`` is how long (campaign time) a heartbeat may be old before its
    daemon counts as gone; ``verify`` asks a platform about an account's token
    (None: only the token store is read).
    """

    def __init__(
        self,
        config: CampaignConfig,
        sessions: sessionmaker[Session],
        worker_id: str,
        stale_after: timedelta,
        verify: Verify | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.worker_id = worker_id
        self.stale_after = stale_after
        self.verify = verify
        self._digest_done: str | None = None
        self._silences: set[str] = set()

    def check(self, now: datetime) -> int:
        """Raise whatever is due at ``now`` (aware UTC); returns how many new events.

        :raises StorageError: when the database cannot be used.
        """
        events = self.digest_events(now) + self.silent_daemons(now)
        return record_events(self.sessions, events) if events else 0

    def digest_events(self, now: datetime) -> list[NewEvent]:
        """Today's digest once its local time has come, with the token check of
        the day (so a platform is asked once a day, not at every refresh)."""
        day = now.astimezone(self.config.campaign.zone).date()
        key = f"digest:{day.isoformat()}"
        if self._digest_done == key or now < digest_moment(self.config, day):
            return []
        if has_event(self.sessions, key):
            self._digest_done = key
            return []
        expiries = expiring_tokens(self.config, self.sessions, now, self.verify)
        events = [expiry.event(now) for expiry in expiries]
        facts = digest_facts(self.sessions, self.config, now, [e.words() for e in expiries])
        news = in_season(self.config, day) or any(facts["tomorrow"].values()) or facts["attention"]
        # A day with nothing to say still records that its digest (and token check)
        # is done, under a kind no target hears, so it is not done again every pass.
        events.append(NewEvent("digest" if news else QUIET_DIGEST, key, now, facts))
        self._digest_done = key
        return events

    def silent_daemons(self, now: datetime) -> list[NewEvent]:
        """A ``daemon_silent`` event for each other daemon whose heartbeat went
        stale without a recorded stop, recently enough to be news."""
        with reading(self.sessions) as session:
            rows = session.scalars(
                select(Worker).where(
                    Worker.stopped_at.is_(None),
                    Worker.id != self.worker_id,
                    Worker.heartbeat_at < now - self.stale_after,
                    Worker.heartbeat_at > now - SILENCE_NEWS_FOR,
                )
            ).all()
        events = []
        for worker in rows:
            key = f"daemon_silent:{worker.id}:{worker.heartbeat_at.isoformat()}"
            if key in self._silences:
                continue
            self._silences.add(key)
            facts = {
                "worker_id": worker.id,
                "hostname": worker.hostname,
                "pid": worker.pid,
                "heartbeat_at": worker.heartbeat_at.isoformat(),
            }
            events.append(NewEvent("daemon_silent", key, now, facts))
        return events


@dataclass(frozen=True)
class DaemonCheck:
    """What ``campaign watch`` found: live daemons, publications due by ``horizon``
    (aware UTC) and overdue ones, and ``raised``: this pass recorded the "no live
    daemon" event (False when an earlier pass did, for the same silence)."""

    alive: int
    due: int
    overdue: int
    horizon: datetime
    raised: bool

    @property
    def unattended(self) -> bool:
        """No daemon alive while posts are due (or overdue)."""
        return not self.alive and bool(self.due or self.overdue)


def no_daemon_check(
    config: CampaignConfig, sessions: sessionmaker[Session], now: datetime, stale_after: timedelta
) -> tuple[DaemonCheck, NewEvent | None]:
    """Whether any daemon is alive at ``now``, and the ``no_daemon`` event when
    none is while publications are due within ``alerts.no_daemon_within_h``.

    One event per silence: its key is the last heartbeat any daemon gave.

    :raises StorageError: when the database cannot be read.
    """
    horizon = now + timedelta(hours=config.alerts.no_daemon_within_h)
    queued = Publication.state.in_(QUEUED)
    with reading(sessions) as session:
        alive = session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(Worker.stopped_at.is_(None), Worker.heartbeat_at >= now - stale_after)
        )
        due, first_due = session.execute(
            select(func.count(), func.min(Publication.next_attempt_at)).where(
                queued, Publication.next_attempt_at >= now, Publication.next_attempt_at <= horizon
            )
        ).one()
        overdue = session.scalar(
            select(func.count())
            .select_from(Publication)
            .where(queued, Publication.next_attempt_at < now)
        )
        last = session.execute(
            select(Worker.id, Worker.heartbeat_at).order_by(Worker.heartbeat_at.desc()).limit(1)
        ).first()
    check = DaemonCheck(int(alive or 0), int(due or 0), int(overdue or 0), horizon, False)
    if not check.unattended:
        return check, None
    facts = {
        "due_count": check.due,
        "overdue_count": check.overdue,
        "horizon": horizon.isoformat(),
        "first_due_at": first_due.isoformat() if first_due else None,
        "last_worker": last.id if last else None,
        "last_heartbeat": last.heartbeat_at.isoformat() if last else None,
    }
    key = f"no_daemon:{last.heartbeat_at.isoformat() if last else 'never'}"
    return check, NewEvent("no_daemon", key, now, facts)
