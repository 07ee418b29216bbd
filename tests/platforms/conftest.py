"""Fixtures for the platform tests: the whole sandbox in a thread, on a frozen clock.

The real tweepy and facebook-sdk talk HTTP to it; nothing of theirs is mocked.
``sandbox`` serves the accounts of the shipped config.yaml (three X accounts and
one Facebook Page); ``live`` is that config pointed at it; ``environ`` holds the
test credentials the sandbox accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.platforms.base import MediaFile, Publisher
from scheduler.platforms.registry import build_publisher
from scheduler.sandbox.app import Sandbox, build_sandbox, point_at_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.sandbox.faults import FaultPlan
from tests.conftest import ROOT

START = datetime(2020, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def campaign() -> CampaignConfig:
    """The shipped config.yaml."""
    return load_config(ROOT / "config.yaml")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def sandbox(campaign: CampaignConfig, clock: FrozenClock, faults: FaultPlan) -> Iterator[Sandbox]:
    """Both stand-ins on 127.0.0.1, serving in a background thread."""
    with build_sandbox(campaign, clock, faults) as running:
        yield running


@pytest.fixture
def live(campaign: CampaignConfig, sandbox: Sandbox) -> CampaignConfig:
    """config.yaml with both base URLs pointing at the sandbox."""
    return point_at_sandbox(campaign, sandbox.url)


@pytest.fixture
def environ(campaign: CampaignConfig) -> dict[str, str]:
    """The environment a rehearsal sets: the sandbox's test credentials."""
    return sandbox_environment(campaign)


PublisherFactory = Callable[..., Publisher]


def with_timeout(config: CampaignConfig, seconds: float) -> CampaignConfig:
    """``config`` with both platforms' request timeout set to ``seconds``."""
    platforms = config.platforms.model_copy(
        update={
            "x": config.platforms.x.model_copy(update={"request_timeout_s": seconds}),
            "facebook": config.platforms.facebook.model_copy(update={"request_timeout_s": seconds}),
        }
    )
    return config.model_copy(update={"platforms": platforms})


@pytest.fixture
def publisher_for(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> Iterator[PublisherFactory]:
    """``publisher_for(label, timeout_s=None, environ=None)``: a real publisher talking to
    the sandbox; closed after the test."""
    made: list[Publisher] = []

    def make(
        label: str, timeout_s: float | None = None, environ_override: dict[str, str] | None = None
    ) -> Publisher:
        config = live if timeout_s is None else with_timeout(live, timeout_s)
        publisher = build_publisher(
            config, config.account(label), environ_override or environ, clock
        )
        made.append(publisher)
        return publisher

    yield make
    for publisher in made:
        publisher.close()


def image_file(path: Path, size: tuple[int, int] = (120, 60), colour: str = "navy") -> MediaFile:
    """A real PNG at ``path``."""
    Image.new("RGB", size, colour).save(path, format="PNG")
    return MediaFile(path, "image/png", path.stat().st_size)


def gif_file(path: Path, frames: int = 3) -> MediaFile:
    """A real animated GIF at ``path``."""
    images = [Image.new("RGB", (40, 40), colour) for colour in ("red", "green", "blue")[:frames]]
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=100)
    return MediaFile(path, "image/gif", path.stat().st_size)


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    return image_file(tmp_path / "logo.png")
