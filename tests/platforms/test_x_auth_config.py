"""config.yaml's choice of X's authorization per account: OAuth 1.0a by default,
``auth: oauth2`` with the app's client id (and secret) from the environment,
and plain-word errors for what does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.errors import ConfigError
from scheduler.platforms.x.profile import uses_oauth2
from scheduler.platforms.x.settings import XSettings
from tests.conftest import ROOT

OAUTH1_CREDENTIALS = """    credentials:
      api_key: CMC_X_MAIN_API_KEY
      api_secret: CMC_X_MAIN_API_SECRET
      access_token: CMC_X_MAIN_ACCESS_TOKEN
      access_token_secret: CMC_X_MAIN_ACCESS_TOKEN_SECRET
    daily_cap: 12"""


def _config(tmp_path: Path, account_lines: str, *, x_settings: str = "") -> Path:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert OAUTH1_CREDENTIALS in text
    text = text.replace(OAUTH1_CREDENTIALS, account_lines + "\n    daily_cap: 12", 1)
    if x_settings:
        text = text.replace("  x:\n", "  x:\n" + x_settings, 1)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


OAUTH2 = """    auth: oauth2
    credentials:
      client_id: CMC_X_MAIN_CLIENT_ID
      client_secret: CMC_X_MAIN_CLIENT_SECRET"""


def test_oauth1_stays_the_default() -> None:
    config = load_config(ROOT / "config.yaml")
    assert not any(uses_oauth2(account) for account in config.accounts)


def test_an_x_account_opts_into_oauth2_with_its_app_client(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, OAUTH2))
    account = config.account("x-main")
    assert uses_oauth2(account)
    assert dict(account.credentials) == {
        "client_id": "CMC_X_MAIN_CLIENT_ID",
        "client_secret": "CMC_X_MAIN_CLIENT_SECRET",
    }
    assert not uses_oauth2(config.account("x-fr"))


def test_a_public_client_needs_no_secret(tmp_path: Path) -> None:
    public = OAUTH2.replace("\n      client_secret: CMC_X_MAIN_CLIENT_SECRET", "")
    assert uses_oauth2(load_config(_config(tmp_path, public)).account("x-main"))


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (OAUTH2.replace("oauth2", "oauth3", 1), "auth: oauth3 is not a way to authorize on X"),
        (
            OAUTH2.replace("      client_id: CMC_X_MAIN_CLIENT_ID\n", ""),
            "credentials for a x account with auth: oauth2 need client_id",
        ),
        (
            "    auth: oauth2\n" + OAUTH1_CREDENTIALS.removesuffix("\n    daily_cap: 12"),
            "x with auth: oauth2 takes client_id, client_secret",
        ),
    ],
)
def test_what_does_not_fit_is_said_in_plain_words(tmp_path: Path, lines: str, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(_config(tmp_path, lines))
    assert words in str(raised.value)
    assert "x-main" in str(raised.value) or "accounts" in str(raised.value)


def test_other_platforms_take_no_auth(tmp_path: Path) -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    marker = "    platform: facebook\n"
    assert marker in text
    path = tmp_path / "config.yaml"
    path.write_text(text.replace(marker, marker + "    auth: oauth2\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="Facebook accounts take no auth setting"):
        load_config(path)


@pytest.mark.parametrize(
    "address",
    ["http://localhost:8976/callback", "https://127.0.0.1:8976/callback", "http://127.0.0.1/cb"],
)
def test_the_redirect_address_is_what_x_accepts(tmp_path: Path, address: str) -> None:
    with pytest.raises(ConfigError, match="X refuses localhost"):
        load_config(_config(tmp_path, OAUTH2, x_settings=f'    oauth2_redirect_uri: "{address}"\n'))


def test_the_authorize_page_follows_the_base_url() -> None:
    assert XSettings().authorize_url == "https://x.com/i/oauth2/authorize"
    sandbox = XSettings().pointed_at("http://127.0.0.1:9000")
    assert sandbox.authorize_url == "http://127.0.0.1:9000/i/oauth2/authorize"
    assert sandbox.token_url == "http://127.0.0.1:9000/2/oauth2/token"
