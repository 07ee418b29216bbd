"""``campaign sync`` as one service call: check every post, then sync, or write nothing.

The CLI and the rehearsal call :func:`check_and_sync`; it is the only place
that joins the content checker and the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.content.check import check_paths
from scheduler.content.resolved import CheckReport
from scheduler.errors import CampaignError
from scheduler.storage.database import reading
from scheduler.storage.facts import opened_for
from scheduler.storage.queries import settled_posts
from scheduler.storage.sync import SyncDiff, sync_posts


@dataclass
class SyncOutcome:
    """The check's report and, when it found no errors, the sync's diff.

    ``diff`` is None when the check found errors: then nothing was written.
    """

    report: CheckReport
    diff: SyncDiff | None

    @property
    def ok(self) -> bool:
        """True when the check passed and the sync ran (or was rehearsed)."""
        return self.diff is not None


def check_and_sync(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    dry_run: bool = False,
) -> SyncOutcome:
    """Check every post file of the campaign (as ``campaign check``), then sync them.

    All the files are checked, never a subset: a post missing from the check
    would count as a removed file. ``now`` is aware UTC: the time of the clock
    that will publish (past posts are judged against it); posts the queue has
    already dealt with are not reported as past.

    :raises ConfigError: when a post targets an account config.yaml lacks.
    :raises StorageError: when the database refuses the change (nothing written).
    """

    def settled() -> frozenset[str]:
        with reading(sessions) as session:
            return settled_posts(session)

    report = check_paths(config, None, now=now, settled=settled)
    if not report.ok():
        return SyncOutcome(report, None)
    diff = sync_posts(sessions, report.posts, config, now=now, dry_run=dry_run)
    return SyncOutcome(report, diff)


def queue_settled_posts(config: CampaignConfig, url: str) -> tuple[frozenset[str], str | None]:
    """For ``campaign check`` at the real time: the posts the campaign's queue at
    ``url`` has already dealt with, and a note when it could not be read.

    A database that does not exist yet (nothing synced) is an empty queue, with
    no note. Never raises for an unusable database: the check still runs, and
    the note says past posts that already went out are reported too.
    """
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if path is not None and not Path(path).exists():
        return frozenset(), None
    try:
        with opened_for(url, config) as database, reading(database.sessions) as session:
            return settled_posts(session), None
    except CampaignError as error:
        first_line = str(error).splitlines()[0]
        return frozenset(), (
            f"could not read the queue ({first_line}), so posts that already went out are "
            "reported as past too"
        )
