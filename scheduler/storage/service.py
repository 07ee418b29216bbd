"""``campaign sync`` as one service call: check every post, then sync, or write nothing.

The CLI and the rehearsal call :func:`check_and_sync`; it is the only place
that joins the content checker and the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.content.check import check_paths
from scheduler.content.resolved import CheckReport
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
    would count as a removed file. ``now`` is aware UTC.

    :raises ConfigError: when a post targets an account config.yaml lacks.
    :raises StorageError: when the database refuses the change (nothing written).
    """
    report = check_paths(config, None, now=now)
    if not report.ok():
        return SyncOutcome(report, None)
    diff = sync_posts(sessions, report.posts, config, now=now, dry_run=dry_run)
    return SyncOutcome(report, diff)
