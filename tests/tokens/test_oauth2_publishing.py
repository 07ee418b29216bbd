"""An X account on OAuth 2.0 publishing through the publisher the daemon builds
(:func:`scheduler.daemon.accounts.build_publisher`): bearer auth on v2 and on
media upload, renewal through the token store before each use, the account
paused with the way out when the refresh token is refused, and an alert at once
with the deadline when the new pair was lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.daemon.accounts import build_publisher
from scheduler.errors import AuthFailed, ConfigError
from scheduler.platforms.base import MediaFile, Publisher
from scheduler.platforms.x.oauth2 import TokenEndpoint
from scheduler.platforms.x.sandbox.oauth2 import sandbox_client_id
from scheduler.sandbox.app import Sandbox
from scheduler.storage.outbox import recorded_events
from scheduler.tokens.cipher import TOKEN_KEYS_ENV
from scheduler.tokens.kinds import TokenKind
from tests.conftest import ROOT, Sessions
from tests.platforms.test_accounts_check import write_config
from tests.platforms.test_x_auth_config import OAUTH1_CREDENTIALS, OAUTH2
from tests.tokens.conftest import LABEL, MakeStore

CLIENT = {"CMC_X_MAIN_CLIENT_ID": sandbox_client_id(LABEL), "CMC_X_MAIN_CLIENT_SECRET": "secret"}
LOGO = ROOT / "media" / "logos" / "en" / "join-the-treaty.png"


@pytest.fixture
def config(tmp_path: Path, sandbox: Sandbox) -> CampaignConfig:
    path = write_config(
        tmp_path, sandbox.url, replace={OAUTH1_CREDENTIALS: OAUTH2 + "\n    daily_cap: 12"}
    )
    return load_config(path)


@pytest.fixture
def publisher(
    config: CampaignConfig, sessions: Sessions, clock: FrozenClock, key: str
) -> Iterator[Publisher]:
    environ = {TOKEN_KEYS_ENV: key, **CLIENT}
    built = build_publisher(
        config, config.account(LABEL), environ, clock, sessions=sessions, writer="daemon t:1"
    )
    yield built
    built.close()


@pytest.mark.usefixtures("connected")
def test_posts_with_media_across_token_expiries(
    publisher: Publisher, sandbox: Sandbox, clock: FrozenClock
) -> None:
    identity = publisher.verify()
    assert identity.username == "banclusterbombs"
    for round_ in range(3):
        media = publisher.upload_media(MediaFile(LOGO, "image/png", LOGO.stat().st_size))
        post = publisher.create_post(f"Ban cluster bombs, round {round_}", [media])
        found = publisher.find_post(post.text, post.created_at, clock.now())
        assert found is not None and found.platform_post_id == post.platform_post_id
        clock.advance(7200)  # past the access token's two hours
    assert publisher.delete_post(post.platform_post_id)
    assert sandbox.x.oauth2.refreshed == 3  # renewed before each expired use, once each


@pytest.mark.usefixtures("connected")
def test_a_refused_refresh_token_stops_the_account_with_the_way_out(
    publisher: Publisher, make_store: MakeStore, endpoint: TokenEndpoint, clock: FrozenClock
) -> None:
    # Revoked elsewhere: someone spent the stored refresh token.
    refresh = make_store().read(LABEL).value(TokenKind.REFRESH)
    assert refresh is not None
    endpoint.refresh(refresh, now=clock.now())
    clock.advance(7200)
    with pytest.raises(AuthFailed, match="run `campaign accounts connect x-main`"):
        publisher.create_post("Not this time")


@pytest.mark.usefixtures("connected")
def test_a_lost_pair_alerts_at_once_with_the_deadline_and_posting_goes_on(
    publisher: Publisher,
    make_store: MakeStore,
    endpoint: TokenEndpoint,
    sessions: Sessions,
    clock: FrozenClock,
) -> None:
    expires = make_store().read(LABEL).get(TokenKind.ACCESS)
    refresh = make_store().read(LABEL).value(TokenKind.REFRESH)
    assert expires is not None and expires.expires_at is not None and refresh is not None
    endpoint.refresh(refresh, now=clock.now())  # the answer never reached the store
    clock.advance(7200 - 120)  # within the renewal margin
    publisher.create_post("Still posting")
    publisher.create_post("Still posting, and no second alert")
    (event,) = [e for e in recorded_events(sessions) if e.kind == "token_expiring"]
    assert event.facts["account"] == LABEL
    assert event.facts["expires_at"] == expires.expires_at.isoformat()
    assert "campaign accounts connect x-main" in event.facts["fix"]
    clock.advance(121)
    with pytest.raises(AuthFailed, match="campaign accounts connect x-main"):
        publisher.create_post("After the deadline")


def test_a_command_without_the_database_says_so(config: CampaignConfig, clock: FrozenClock) -> None:
    environ = dict(CLIENT)
    with pytest.raises(ConfigError, match="keeps its tokens in the database"):
        build_publisher(config, config.account(LABEL), environ, clock)
