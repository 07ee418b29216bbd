"""A third platform, Chirp (``tests/platforms/chirp/``), added with nothing but its
folder and the registry's test hook: the check counts its texts by its own
settings, sync queues it, a rehearsal publishes through its publisher while the
sandbox mounts its route, and the dashboard, the history and the command line
show it by its own name, badge and aliases."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from PIL import Image
from sqlalchemy import select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from scheduler.cli import build_app
from scheduler.cli import check as check_cli
from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.daemon.rehearse import RehearsalOptions, run_rehearsal
from scheduler.errors import CampaignError
from scheduler.platforms import registry
from scheduler.sandbox.app import build_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.storage.database import open_database
from scheduler.storage.models import Publication
from scheduler.web import create_app, web_access
from tests.platforms.chirp.profile import ChirpProfile

CONFIG = """\
campaign:
  name: "A campaign on three platforms"
  hashtag: "#StopClusterBombsNow"
  timezone: Europe/Zurich
  conference: {name: "2RevCon", start: "2020-11-23", end: "2020-11-27"}
  window: {start: "2020-11-01", end: "2020-11-27"}
languages: {en: English}
calls:
  join-the-treaty: {en: "Join the Treaty"}
platforms:
  chirp:
    max_characters: MAX
accounts:
  - label: x-main
    platform: x
    name: "@banclusterbombs"
    languages: [en]
    credentials:
      api_key: X_MAIN_API_KEY
      api_secret: X_MAIN_API_SECRET
      access_token: X_MAIN_ACCESS_TOKEN
      access_token_secret: X_MAIN_ACCESS_TOKEN_SECRET
    min_spacing_min: 0
  - label: chirp-main
    platform: chirp
    name: "Coalition on Chirp"
    languages: [en]
    credentials: {token: CHIRP_MAIN_TOKEN}
    min_spacing_min: 0
"""

POSTS = """\
posts:
  - id: long-one
    call: join-the-treaty
    language: en
    at: "2020-11-23 09:00"
    status: approved
    targets: [chirp]
    text: "Every state that has not yet joined the Convention on Cluster Munitions can do so now. #StopClusterBombsNow"
  - id: both
    call: join-the-treaty
    language: en
    at: "2020-11-23 11:00"
    status: approved
    targets: [x, chirp-main]
    text: "Join the Treaty: it saves lives. #StopClusterBombsNow"
    variants:
      chirp: "Join the Treaty. #StopClusterBombsNow"
"""


@pytest.fixture
def chirp() -> Iterator[ChirpProfile]:
    with registry.registered(ChirpProfile()) as profile:
        yield profile


def campaign_folder(folder: Path, max_characters: int) -> Path:
    """A campaign with an X account and a Chirp account, two posts and a logo."""
    (folder / "config.yaml").write_text(CONFIG.replace("MAX", str(max_characters)))
    (folder / "posts").mkdir(exist_ok=True)
    (folder / "posts" / "campaign.yaml").write_text(POSTS)
    logo = folder / "media" / "logos" / "en" / "join-the-treaty.png"
    logo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), (180, 30, 30)).save(logo)
    return folder / "config.yaml"


def run(*arguments: str, application: typer.Typer | None = None) -> tuple[int, str]:
    """Exit status and what a person sees: the output, or the error `campaign` prints."""
    result = CliRunner().invoke(application or build_app(), list(arguments), env={"COLUMNS": "200"})
    if isinstance(result.exception, CampaignError):
        return 2, str(result.exception)  # what scheduler.cli.main prints, exit status 2
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def check(config: Path) -> tuple[int, str]:
    """``campaign check`` before the campaign window (the posts are not past yet)."""
    application = typer.Typer()
    application.callback()(lambda: None)
    check_cli.register(application, clock=FrozenClock(datetime(2020, 10, 1, tzinfo=UTC)))
    return run("check", "--config", str(config), application=application)


def test_the_registry_hook_adds_and_removes_the_platform(chirp: ChirpProfile) -> None:
    assert registry.platform_keys() == ("x", "facebook", "bluesky", "mastodon", "chirp")
    assert registry.from_alias("Chirper") is chirp
    with pytest.raises(ValueError, match="already registered"), registry.registered(ChirpProfile()):
        pass


def test_without_the_hook_chirp_is_not_a_platform(tmp_path: Path) -> None:
    code, output = check(campaign_folder(tmp_path, 300))
    assert code == 2
    assert 'accounts[1].platform: `platform` must be x, facebook, bluesky or mastodon, not "chirp"' in output


def test_the_check_counts_by_chirps_own_settings(chirp: ChirpProfile, tmp_path: Path) -> None:
    config = campaign_folder(tmp_path, 60)

    code, output = check(config)

    assert code == 1, output
    assert "chirp-length" in output
    assert "Chirp takes at most 60" in output
    assert output.count("chirp-length") == 1  # the short variant of "both" fits


def test_a_bad_chirp_setting_is_reported_by_chirps_model(
    chirp: ChirpProfile, tmp_path: Path
) -> None:
    config = campaign_folder(tmp_path, 0)

    code, output = check(config)

    assert code == 2, output
    assert "platforms.chirp.max_characters" in output


def test_a_campaign_with_chirp_rehearses_and_shows_everywhere(
    chirp: ChirpProfile, tmp_path: Path
) -> None:
    config = load_config(campaign_folder(tmp_path, 300))
    database = tmp_path / "rehearsal.db"

    result = run_rehearsal(config, RehearsalOptions(target_wall_s=2.0, database=database))

    assert result.ok, (result.surprises, result.duplicates, result.unrecorded)
    assert sum(result.per_account_day["chirp-main"].values()) == 2
    assert sum(result.per_account_day["x-main"].values()) == 1
    sent = sorted(post.text for posts in chirp.memory.posts.values() for post in posts)
    assert sent == [
        "Every state that has not yet joined the Convention on Cluster Munitions can do so "
        "now. #StopClusterBombsNow",
        "Join the Treaty. #StopClusterBombsNow",
    ]
    engine, sessions = open_database(f"sqlite:///{database}")
    try:
        with sessions() as session:
            rows = session.execute(select(Publication.platform, Publication.state)).all()
        assert sorted(rows) == [
            ("chirp", "published"),
            ("chirp", "published"),
            ("x", "published"),
        ]
        show_in_the_dashboard(config, sessions)
    finally:
        engine.dispose()
    show_in_the_history(config, database)


def show_in_the_dashboard(config: CampaignConfig, sessions: object) -> None:
    clock = FrozenClock(config.campaign.conference_start)  # the day both posts went out
    app = create_app(config, sessions, clock, web_access("127.0.0.1", None, config))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        css = client.get("/static/platforms.css")
        assert css.status_code == 200
        assert ".platform-chirp { background: #ff8800; }" in css.text
        calendar = client.get("/").text
        assert '<span class="platform platform-chirp">Chirp</span>' in calendar
        post = client.get("/posts/both").text
        assert 'data-testid="text-chirp"' in post
        assert post.index('data-testid="text-x"') < post.index('data-testid="text-chirp"')
        assert "/ 300" in post  # Chirp's limit, from its settings
        history = client.get("/history?platform=chirp").text
        assert history.count('<span class="platform platform-chirp">Chirp</span>') >= 2
        assert '<option value="chirp"' in history
        suggested = client.get("/history?platform=chirper").text
        assert "unknown platform &#39;chirper&#39; ignored (did you mean chirp?)" in suggested


def show_in_the_history(config: CampaignConfig, database: Path) -> None:
    folder = str(config.base_dir / "config.yaml")
    url = f"sqlite:///{database}"
    code, output = run("history", "--platform", "chirp", "--database-url", url, "--config", folder)
    assert code == 0, output
    assert output.count("chirp-main") >= 2 and "x-main" not in output
    code, output = run(
        "history", "--platform", "chirper", "--database-url", url, "--config", folder
    )
    assert code != 0
    assert "did you mean chirp" in output
    code, output = run("--help")
    assert "X, Facebook Pages, Bluesky, Mastodon and Chirp" in output


def test_the_sandbox_mounts_chirps_route(chirp: ChirpProfile, tmp_path: Path) -> None:
    config = load_config(campaign_folder(tmp_path, 300))
    clock = FrozenClock(config.campaign.window_start)
    assert sandbox_environment(config)["CHIRP_MAIN_TOKEN"] == "chirp-chirp-main-token"

    with build_sandbox(config, clock) as sandbox:
        chirp.memory.posts["chirp-main"] = []
        answer = urllib.request.urlopen(f"{sandbox.url}/chirp/v1/accounts/chirp-main/posts")
        assert json.loads(answer.read()) == {"data": []}
        assert sandbox["chirp"].count() == 0
        assert set(sandbox.platforms) == {"x", "facebook", "bluesky", "mastodon", "chirp"}
