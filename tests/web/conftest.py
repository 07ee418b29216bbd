"""Fixtures of the dashboard's tests: a campaign folder with logos, a seeded
database, and clients bound to loopback or beyond."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.storage.database import open_database, upgrade_database
from scheduler.web import create_app, web_access
from scheduler.web.access import is_loopback
from tests.conftest import ROOT, Closer
from tests.storage.conftest import no_leaked_connections
from tests.web.seed import NOW, seed_campaign

__all__ = ["no_leaked_connections"]  # autouse here too: fails the test that leaks

TOKEN = "correct-horse-battery-staple-42"
PUBLIC_URL = "https://localhost"
ClientFactory = Callable[..., TestClient]


def with_public_url(config: CampaignConfig, public_url: str | None) -> CampaignConfig:
    """``config`` with ``web.public_url`` set (the campaign folder stays the same)."""
    web = config.web.model_copy(update={"public_url": public_url})
    return config.model_copy(update={"web": web})


def draw_logos(media: Path, config: CampaignConfig) -> None:
    """Stand-in logos: one coloured square per language and call, as the media.logo pattern names them."""
    colours = ["#b3261e", "#1f6fd1", "#1b7f4a", "#b26a00", "#7b3fb8"]
    for language in config.languages:
        for index, call in enumerate(config.calls):
            path = media / config.logo_path(language, call)
            path.parent.mkdir(parents=True, exist_ok=True)
            image = Image.new("RGB", (400, 400), colours[index % len(colours)])
            ImageDraw.Draw(image).text((20, 180), f"{language} {call}", fill="white")
            image.save(path)


@pytest.fixture(scope="session")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign folder (read only): the repository's config.yaml and stand-in
    logos under media/, plus an image outside media/ that must never be served."""
    folder = tmp_path_factory.mktemp("campaign")
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    config = load_config(folder / "config.yaml")
    draw_logos(folder / config.media.directory, config)
    (folder / config.media.directory / "notes.txt").write_text("not an image")
    (folder / "secret.png").write_bytes(
        (folder / "media" / config.logo_path("en", "save-lives")).read_bytes()
    )
    return folder


@pytest.fixture
def config(campaign_dir: Path) -> CampaignConfig:
    return load_config(campaign_dir / "config.yaml")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory, campaign_dir: Path) -> Path:
    """A migrated SQLite file holding the seeded campaign, built once per run."""
    path = tmp_path_factory.mktemp("seeded") / "campaign.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine, factory = open_database(url)
    try:
        seed_campaign(factory, load_config(campaign_dir / "config.yaml"))
    finally:
        engine.dispose()  # the last connection closing folds the WAL into the file
    return path


@pytest.fixture
def sessions(tmp_path: Path, seeded_database: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's own copy of the seeded database."""
    path = tmp_path / "campaign.db"
    shutil.copy(seeded_database, path)
    engine, factory = open_database(f"sqlite:///{path}")
    try:
        yield factory
    finally:
        engine.dispose()


@pytest.fixture
def make_client(
    config: CampaignConfig, sessions: sessionmaker[Session], clock: FrozenClock, closing: Closer
) -> ClientFactory:
    """``make_client(host="127.0.0.1", token=TOKEN, now=None)``: a test client of a
    dashboard bound to ``host`` whose clock stands at ``now`` (the seed's NOW unless
    given); closed after the test. Bound beyond loopback, the dashboard's public address
    is ``https://localhost`` (behind an HTTPS proxy, as it must be there) and the client
    comes through it."""

    def make(
        host: str = "127.0.0.1", token: str | None = TOKEN, now: datetime | None = None
    ) -> TestClient:
        at = clock if now is None else FrozenClock(now)
        chosen = config if is_loopback(host) else with_public_url(config, PUBLIC_URL)
        app = create_app(chosen, sessions, at, web_access(host, token, chosen))
        base = f"http://{host}" if is_loopback(host) else PUBLIC_URL
        return closing(TestClient(app, base_url=base, follow_redirects=False))

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    """A dashboard on 127.0.0.1 with an operator token configured, not signed in."""
    return make_client()


def csrf_of(html: str) -> str:
    """The CSRF token in a page's first form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str = "Ana", token: str = TOKEN) -> None:
    """Sign in through the form, as a person would."""
    form = client.get("/signin")
    response = client.post(
        "/signin",
        data={"csrf_token": csrf_of(form.text), "name": name, "token": token, "next": "/"},
    )
    assert response.status_code == 303


@pytest.fixture
def operator(client: TestClient) -> TestClient:
    """The loopback client, signed in as operator "Ana"."""
    sign_in(client)
    return client
