"""Fixtures for the platform tests: the whole sandbox in a thread, on a frozen clock.

The real tweepy and facebook-sdk talk HTTP to it; nothing of theirs is mocked.
``sandbox`` serves the accounts of the shipped config.yaml (three X accounts and
one Facebook Page); ``live`` is that config pointed at it; ``environ`` holds the
test credentials the sandbox accepts.

``graph`` is the Graph API sandbox alone, serving two Pages (:func:`pages_campaign`),
and ``facebook_publisher`` makes real Facebook publishers for those Pages, for the
Facebook suites (the publisher, its error table, the sandbox's own fidelity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.daemon.accounts import build_publisher
from scheduler.platforms.base import Credentials, MediaFile, Publisher
from scheduler.platforms.facebook.publisher import FacebookPublisher
from scheduler.platforms.facebook.sandbox.api import GraphSandbox
from scheduler.platforms.facebook.settings import FacebookSettings
from scheduler.platforms.facebook.transport import graph_client
from scheduler.platforms.sandbox_server import HTTPSandbox
from scheduler.sandbox.app import Sandbox, build_sandbox, point_at_sandbox
from scheduler.sandbox.credentials import sandbox_credentials, sandbox_environment
from scheduler.sandbox.faults import FaultPlan
from tests.conftest import ROOT, Closer, campaign_data, facebook_account

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
    """``config`` with every platform's request timeout set to ``seconds``."""
    platforms = {
        key: settings.model_copy(update={"request_timeout_s": seconds})
        for key, settings in config.platforms.items()
    }
    return config.model_copy(update={"platforms": platforms})


@pytest.fixture
def publisher_for(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, closing: Closer
) -> PublisherFactory:
    """``publisher_for(label, timeout_s=None, environ=None)``: a real publisher talking to
    the sandbox; closed after the test."""

    def make(
        label: str, timeout_s: float | None = None, environ_override: dict[str, str] | None = None
    ) -> Publisher:
        config = live if timeout_s is None else with_timeout(live, timeout_s)
        return closing(
            build_publisher(config, config.account(label), environ_override or environ, clock)
        )

    return make


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


# -- the Graph API sandbox alone, for the Facebook suites ---------------------------------

MAIN_PAGE, OTHER_PAGE = "111000111", "222000222"


def pages_campaign() -> CampaignConfig:
    """A campaign of two Facebook Pages: ``fb-main`` ("Main Page", with the app
    credentials that debug_token needs) and ``fb-other`` ("Other Page")."""
    main_credentials = {
        "page_access_token": "FB_MAIN_TOKEN",
        "app_id": "FB_APP_ID",
        "app_secret": "FB_APP_SECRET",
    }
    return CampaignConfig.model_validate(
        campaign_data(
            [
                facebook_account("fb-main", MAIN_PAGE, "Main Page", credentials=main_credentials),
                facebook_account(
                    "fb-other",
                    OTHER_PAGE,
                    "Other Page",
                    credentials={"page_access_token": "FB_OTHER_TOKEN"},
                ),
            ]
        )
    )


FacebookPublisherFactory = Callable[..., FacebookPublisher]


@pytest.fixture
def facebook_publisher(clock: FrozenClock, closing: Closer) -> FacebookPublisherFactory:
    """``facebook_publisher(base_url, label="fb-main", credentials=None, **settings)``: a
    real publisher for a Page of :func:`pages_campaign` talking to ``base_url``, with
    the sandbox's credentials for ``label`` unless ``credentials`` are given and a
    5-second timeout unless ``settings`` (FacebookSettings fields) say otherwise;
    closed after the test."""
    campaign = pages_campaign()

    def make(
        base_url: str,
        label: str = "fb-main",
        credentials: dict[str, str] | None = None,
        **settings: Any,
    ) -> FacebookPublisher:
        values = {"api_base_url": base_url, "request_timeout_s": 5.0, **settings}
        return closing(
            FacebookPublisher(
                campaign.account(label),
                campaign.platforms["facebook"].model_copy(update=values),
                Credentials(
                    sandbox_credentials("facebook", label) if credentials is None else credentials
                ),
                clock,
            )
        )

    return make


@dataclass
class GraphServer:
    """The Graph API sandbox serving :func:`pages_campaign` on 127.0.0.1; ``sandbox``
    holds its state and fault plan for assertions."""

    sandbox: GraphSandbox
    clock: FrozenClock
    url: str
    make_publisher: FacebookPublisherFactory

    @property
    def faults(self) -> FaultPlan:
        return self.sandbox.faults

    def publisher(
        self, label: str = "fb-main", credentials: dict[str, str] | None = None, **settings: Any
    ) -> FacebookPublisher:
        """A real publisher for ``label`` talking to this server (see facebook_publisher)."""
        return self.make_publisher(self.url, label, credentials, **settings)

    def get(self, path: str, **params: str) -> requests.Response:
        return requests.get(f"{self.url}{path}", params=params, timeout=5)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.url}{path}", timeout=5, **kwargs)

    def client(self, token: str | None = None) -> Any:
        """facebook-sdk speaking v25.0 to the sandbox (the publisher's own client set-up),
        with ``fb-main``'s Page token unless another is given."""
        token = token or sandbox_credentials("facebook", "fb-main")["page_access_token"]
        settings = FacebookSettings(api_base_url=self.url, request_timeout_s=5)
        graph, _transport, _session = graph_client(settings, token)
        return graph


@pytest.fixture
def start_graph(
    clock: FrozenClock, faults: FaultPlan, facebook_publisher: FacebookPublisherFactory
) -> Iterator[Callable[..., GraphServer]]:
    """``start_graph(**quotas)``: another Graph API sandbox on the test's clock and fault
    plan (``page_calls_per_day``, ``app_calls_per_hour``); stopped after the test."""
    with ExitStack() as servers:

        def start(**quotas: int) -> GraphServer:
            sandbox = GraphSandbox(pages_campaign().accounts, clock, faults, **quotas)
            server = servers.enter_context(HTTPSandbox(sandbox.routes()))
            return GraphServer(sandbox, clock, server.url, facebook_publisher)

        yield start


@pytest.fixture
def graph(start_graph: Callable[..., GraphServer]) -> GraphServer:
    """The Graph API sandbox with the platform's default quotas."""
    return start_graph()
