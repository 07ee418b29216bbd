"""One live run: a generated campaign, the sandbox over HTTP, a database, real daemons.

The sandbox (both stand-ins, ``TCP_NODELAY`` on every socket) serves from
this process on the system clock; the daemons are ``campaign run``
processes (:class:`~bench.processes.DaemonProcess`), so the sandbox and each
daemon have an interpreter of their own. ``sandbox_cpu_s`` is this process's
CPU time during the run, nearly all of it the sandbox's: it shows whether the
sandbox could have been the bottleneck.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.campaign import BenchCampaign
from bench.processes import DaemonProcess
from scheduler.clock import SystemClock
from scheduler.content.resolved import ResolvedPost
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.faults import FaultPlan
from scheduler.storage.database import make_engine, make_session_factory, upgrade_database
from scheduler.storage.models import Attempt, Publication, PublicationState
from scheduler.storage.sync import sync_posts

SETTLED = (
    PublicationState.PUBLISHED,
    PublicationState.FAILED,
    PublicationState.MISSED,
    PublicationState.NEEDS_REVIEW,
    PublicationState.CANCELLED,
)


@dataclass(frozen=True)
class Received:
    """A post the sandbox stored: account, text as sent, wall epoch seconds of arrival."""

    account: str
    text: str
    received_wall: float


class LiveRun:
    """A campaign of ``x_accounts`` accounts of ``platform`` (X unless said) in
    ``folder`` with the sandbox serving.

    Use as a context manager; the sandbox stops and every daemon is stopped on exit.
    With ``profile_dir``, py-spy samples every daemon into that folder
    (:mod:`bench.profiling`).
    """

    def __init__(
        self,
        folder: Path,
        seed: int,
        x_accounts: int,
        database_url: str,
        faults: FaultPlan | None = None,
        publishing: dict[str, Any] | None = None,
        profile_dir: Path | None = None,
        platform: str = "x",
    ) -> None:
        self.folder = folder
        self.profile_dir = profile_dir
        self.clock = SystemClock()
        self.faults = faults if faults is not None else FaultPlan()
        self.platform = platform
        counts = (
            {"x_accounts": x_accounts}
            if platform == "x"
            else {"x_accounts": 0, f"{platform}_accounts": x_accounts}
        )
        bare = BenchCampaign.create(folder, seed, publishing=publishing, **counts)
        self.sandbox: Sandbox = build_sandbox(bare.config, self.clock, self.faults)
        self.campaign = BenchCampaign.create(
            folder, seed, sandbox_url=self.sandbox.url, publishing=publishing, **counts
        )
        self.labels = self.campaign.labels_of(platform)
        self.database_url = database_url
        upgrade_database(database_url)
        self.engine = make_engine(database_url)
        self.sessions = make_session_factory(self.engine)
        self.daemons: list[DaemonProcess] = []
        self._cpu_started = 0.0

    def __enter__(self) -> LiveRun:
        self.sandbox.start()
        self._cpu_started = time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for daemon in self.daemons:
            daemon.stop()
        self.sandbox.stop()
        self.engine.dispose()

    @property
    def sandbox_cpu_s(self) -> float:
        """CPU seconds this process (the sandbox) has used since the run started."""
        return time.process_time() - self._cpu_started

    def queue(self, posts: list[ResolvedPost]) -> None:
        """Sync ``posts`` into the database, as ``campaign sync`` does."""
        sync_posts(self.sessions, posts, self.campaign.config, now=self.clock.now())

    def start_daemon(self, name: str = "daemon", profile_start_up: bool = False) -> DaemonProcess:
        """Start one more ``campaign run``; its log goes to ``<name>.log`` in the folder."""
        daemon = DaemonProcess(
            self.campaign.config_path,
            self.database_url,
            self.campaign.environment,
            self.folder / f"{name}.log",
            worker_id=f"bench-{name}",
            profile=(
                self.profile_dir / f"{self.folder.parent.name}-{self.folder.name}-{name}.txt"
                if self.profile_dir is not None
                else None
            ),
            profile_start_up=profile_start_up,
        )
        self.daemons.append(daemon)
        return daemon

    def counts(self) -> Counter[str]:
        """Publications by state."""
        with self.sessions() as session:
            rows = session.execute(
                select(Publication.state, func.count()).group_by(Publication.state)
            ).all()
        return Counter({str(state): int(count) for state, count in rows})

    def wait_settled(self, total: int, timeout_s: float) -> bool:
        """Wait until ``total`` publications have settled; False when the time ran out."""
        deadline = time.monotonic() + timeout_s
        settled = {str(state) for state in SETTLED}
        while time.monotonic() < deadline:
            if sum(n for state, n in self.counts().items() if state in settled) >= total:
                return True
            time.sleep(0.25)
        return False

    def published_at(self) -> list[tuple[datetime, datetime]]:
        """(scheduled_at, recorded at) of every published publication (aware UTC).

        "Recorded" is when the attempt that published it ended in the database.
        """
        with self.sessions() as session:
            rows = session.execute(
                select(Publication.scheduled_at, Attempt.ended_at)
                .join(Attempt, Attempt.publication_id == Publication.id)
                .where(Attempt.outcome == "published", Attempt.ended_at.is_not(None))
            ).all()
        return [(scheduled, ended) for scheduled, ended in rows if ended is not None]

    def received(self) -> list[Received]:
        """Every post the X sandbox stored, with its arrival time."""
        found: list[Received] = []
        for label in self.labels:
            if self.platform != "x":
                found += [
                    Received(
                        label, post.text, post.received_at.timestamp() if post.received_at else 0.0
                    )
                    for post in self.sandbox[self.platform].sent(label)
                ]
                continue
            for post in self.sandbox.x.posts(label):
                found.append(Received(label, post.submitted, post.received_wall))
        return found

    def duplicates(self) -> int:
        """Stored posts beyond the first with the same account and text (should be 0)."""
        counts = Counter((post.account, post.text) for post in self.received())
        return sum(count - 1 for count in counts.values() if count > 1)
