"""Fixtures of the daemon's suite: a small campaign in tmp_path, a queue filled
through the real ``sync_posts``, and a worker context on the memory platform."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from scheduler.clock import Clock, FrozenClock
from scheduler.config import CampaignConfig
from scheduler.content.resolved import ResolvedPost
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.limits import AccountLimits
from scheduler.daemon.publishers import PublisherPool
from scheduler.daemon.runner import Daemon
from scheduler.daemon.worker import WorkerContext
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.storage import daemon_state
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.sync import sync_posts
from tests.conftest import Sessions, campaign_data, facebook_account

T0 = datetime(2020, 11, 23, 9, 0, tzinfo=UTC)

X_CREDENTIALS = {
    "api_key": "X_KEY",
    "api_secret": "X_SECRET",
    "access_token": "X_TOKEN",
    "access_token_secret": "X_TOKEN_SECRET",
}


def campaign_dict(**publishing: Any) -> dict[str, Any]:
    """A campaign file as a dict: three accounts, no spacing, generous caps."""
    accounts: list[dict[str, Any]] = [
        {
            "label": label,
            "platform": "x",
            "name": f"@{label}",
            "languages": ["en"],
            "credentials": {
                k: f"{label.upper().replace('-', '_')}_{v}" for k, v in X_CREDENTIALS.items()
            },
            "daily_cap": 50,
            "min_spacing_min": 0,
        }
        for label in ("x-main", "x-fr")
    ]
    accounts.append(
        facebook_account(
            "facebook-main", "120749411311458", "Coalition", daily_cap=50, min_spacing_min=0
        )
    )
    return campaign_data(
        accounts,
        publishing={
            "late_grace_min": 60,
            "lease_s": 120,
            "max_attempts": 3,
            "backoff_base_s": 30,
            "backoff_max_s": 600,
            "window_h": 24,
            "refresh_s": 0.05,
            **publishing,
        },
    )


def make_config(base: Path, data: dict[str, Any] | None = None) -> CampaignConfig:
    """A validated config whose relative paths start at ``base``; writes a logo."""
    config = CampaignConfig.model_validate(data or campaign_dict())
    config._base_dir = str(base)
    logo = base / "media" / "logos" / "en" / "join-the-treaty.png"
    logo.parent.mkdir(parents=True, exist_ok=True)
    if not logo.exists():
        Image.new("RGB", (16, 16), (200, 30, 30)).save(logo)
    return config


def with_accounts(config: CampaignConfig, **changes: dict[str, Any]) -> CampaignConfig:
    """A copy of ``config`` with per-account changes (``x_main={"min_spacing_min": 30}``)."""
    data = config.model_dump(mode="json")
    for account in data["accounts"]:
        account.update(changes.get(account["label"].replace("-", "_"), {}))
    return make_config(config.base_dir, data)


def resolved(
    post_id: str,
    at: datetime,
    *,
    targets: tuple[str, ...] = ("x-main",),
    text: str | None = None,
    media: tuple[str, ...] = ("logos/en/join-the-treaty.png",),
) -> ResolvedPost:
    """A checked post, as `campaign check` hands it to sync."""
    body = text or f"{post_id}: join the treaty #StopClusterBombsNow"
    return ResolvedPost(
        id=post_id,
        message_id=post_id,
        call="join-the-treaty",
        language="en",
        status="approved",
        publish_at=at,
        texts={"x": body, "facebook": body},
        media=media,
        link=None,
        targets=targets,
        source_path=f"posts/{post_id}.yaml",
        source_line=1,
    )


class Queue:
    """The campaign's posts, kept in memory and synced as a whole (like `campaign sync`)."""

    def __init__(self, sessions: Sessions, config: CampaignConfig) -> None:
        self.sessions = sessions
        self.config = config
        self.posts: dict[str, ResolvedPost] = {}

    def add(self, *posts: ResolvedPost, now: datetime = T0) -> list[int]:
        """Queue ``posts``; returns their publication ids in the order given."""
        for post in posts:
            self.posts[post.id] = post
        self.sync(now)
        ids: list[int] = []
        with self.sessions() as session:
            for post in posts:
                ids += list(
                    session.scalars(
                        select(Publication.id)
                        .where(Publication.post_id == post.id)
                        .order_by(Publication.account_label)
                    )
                )
        return ids

    def sync(self, now: datetime = T0) -> Any:
        return sync_posts(self.sessions, list(self.posts.values()), self.config, now=now)

    def remove(self, post_id: str, now: datetime = T0) -> Any:
        del self.posts[post_id]
        return self.sync(now)


def publication(sessions: Sessions, publication_id: int) -> Publication:
    with sessions() as session:
        row = session.get(Publication, publication_id)
        assert row is not None
        return row


def attempts(sessions: Sessions, publication_id: int) -> list[Attempt]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Attempt).where(Attempt.publication_id == publication_id).order_by(Attempt.id)
            )
        )


@pytest.fixture
def config(tmp_path: Path) -> CampaignConfig:
    return make_config(tmp_path)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def platform(clock: FrozenClock) -> MemoryPlatform:
    return MemoryPlatform(clock=clock)


MakeContext = Callable[..., WorkerContext]


@pytest.fixture
def make_context(platform: MemoryPlatform) -> MakeContext:
    """``make_context(sessions, config, clock, worker_id=...)``: a worker on the memory platform."""

    def build(
        sessions: Sessions,
        config: CampaignConfig,
        clock: Clock,
        worker_id: str = "test-host:1:aaaaaa",
        **options: Any,
    ) -> WorkerContext:
        daemon_state.ensure_accounts(sessions, [a.label for a in config.accounts], clock.now())
        return WorkerContext(
            sessions=sessions,
            config=config,
            clock=clock,
            worker_id=worker_id,
            limits=AccountLimits(config),
            publishers=PublisherPool(
                config, lambda account: MemoryPublisher(account.label, platform)
            ),
            crash=CrashPoints(),
            rng=random.Random(7),
            **options,
        )

    return build


@dataclass
class WorkerWorld:
    """What one publication meets on its way through the worker: sessions on a fresh
    database, the campaign, a frozen clock (at T0), the memory platform, and a queue
    filled through the real ``sync_posts``."""

    sessions: Sessions
    config: CampaignConfig
    clock: FrozenClock
    platform: MemoryPlatform
    make_context: MakeContext
    queue: Queue

    def context(self, **options: Any) -> WorkerContext:
        """A worker on the memory platform (``worker_id=...`` for a second one)."""
        return self.make_context(self.sessions, self.config, self.clock, **options)

    def publication(self, publication_id: int) -> Publication:
        return publication(self.sessions, publication_id)

    def attempts(self, publication_id: int) -> list[Attempt]:
        return attempts(self.sessions, publication_id)

    def with_accounts(self, **changes: dict[str, Any]) -> WorkerWorld:
        """The same world for a campaign with per-account changes, and a queue of its own."""
        changed = with_accounts(self.config, **changes)
        return replace(self, config=changed, queue=Queue(self.sessions, changed))


@pytest.fixture
def world(
    sessions: Sessions,
    config: CampaignConfig,
    clock: FrozenClock,
    platform: MemoryPlatform,
    make_context: MakeContext,
) -> WorkerWorld:
    """A worker's world on SQLite and on PostgreSQL (see :class:`WorkerWorld`)."""
    return WorkerWorld(sessions, config, clock, platform, make_context, Queue(sessions, config))


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


@pytest.fixture
def start_daemon(config: CampaignConfig) -> Iterator[Callable[..., Daemon]]:
    daemons: list[Daemon] = []

    def start(
        sessions: Sessions, platform: MemoryPlatform, clock: Clock, **options: object
    ) -> Daemon:
        daemon = Daemon(
            config=options.pop("config", config),  # type: ignore[arg-type]
            sessions=sessions,
            clock=clock,
            publisher_factory=options.pop(  # type: ignore[arg-type]
                "publisher_factory", lambda account: MemoryPublisher(account.label, platform)
            ),
            **options,  # type: ignore[arg-type]
        )
        daemons.append(daemon)
        daemon.start()
        return daemon

    try:
        yield start
    finally:
        # Before the sessions fixture disposes of the engine: a daemon thread
        # still using it would open connections nobody closes.
        for daemon in daemons:
            daemon.stop("test over", timeout_s=30)
