"""``campaign accounts check`` and ``campaign sandbox serve`` as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from scheduler.cli import app
from scheduler.cli.platforms import start_sandbox
from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError
from scheduler.sandbox.app import Sandbox
from scheduler.storage.database import current_revision, make_engine, upgrade_database
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
from scheduler.tokens.kinds import NewToken, TokenKind
from scheduler.tokens.store import TokenStore
from tests.conftest import ROOT, fresh_python, session_factory


def write_config(
    folder: Path,
    url: str,
    *,
    replace: dict[str, str] | None = None,
    facebook_url: str | None = None,
) -> Path:
    """The shipped config.yaml with both base URLs pointing at ``url`` (only config
    changes between the sandbox and the real platforms), or Facebook's at
    ``facebook_url``."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace('"https://api.twitter.com"', f'"{url}"')
    text = text.replace('"https://graph.facebook.com"', f'"{facebook_url or url}"')
    text = text.replace('"https://bsky.social"', f'"{url}"')
    # Mastodon's calls go to each account's server unless a base URL is set.
    text = text.replace("  mastodon:", f'  mastodon:\n    api_base_url: "{url}"\n', 1)
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_check(config: Path, env: dict[str, str]) -> Result:
    # No credential from the machine's own environment may decide the outcome.
    clean = {name: None for name in os.environ if name.startswith("CMC_")}
    return CliRunner().invoke(
        app, ["accounts", "check", "--config", str(config)], env={**clean, **env}
    )


CheckAccounts = Callable[..., Result]


@pytest.fixture
def check_accounts(sandbox: Sandbox, environ: dict[str, str], tmp_path: Path) -> CheckAccounts:
    """``check_accounts(env=None, missing=None, url=None, **changes)``: `campaign accounts
    check` on the shipped config pointed at the sandbox (or at ``url``; ``changes`` as
    :func:`write_config` takes them), with the sandbox's test credentials unless ``env``
    is given, less the variable named ``missing``."""

    def run(
        env: dict[str, str] | None = None,
        missing: str | None = None,
        url: str | None = None,
        **changes: Any,
    ) -> Result:
        chosen = environ if env is None else env
        chosen = {name: value for name, value in chosen.items() if name != missing}
        return run_check(write_config(tmp_path, url or sandbox.url, **changes), chosen)

    return run


def test_passes_against_the_sandbox_with_its_test_credentials(
    check_accounts: CheckAccounts, tmp_path: Path
) -> None:
    result = check_accounts()
    assert result.exit_code == 0, result.output
    assert "all 6 accounts ready" in result.output
    for label in ("x-main", "x-fr", "x-es", "facebook-", "bluesky-main", "mastodon-main"):
        assert label in result.output
    assert "@banclusterbombs" in result.output
    # No database yet (accounts check comes before `campaign db upgrade`): none is made.
    assert "Stored tokens" not in result.output
    assert not (tmp_path / "campaign.db").exists()


def test_fails_clearly_with_a_wrong_secret(
    check_accounts: CheckAccounts, environ: dict[str, str]
) -> None:
    result = check_accounts({**environ, "CMC_X_FR_API_SECRET": "not-the-right-secret"})
    assert result.exit_code == 1
    assert "x-fr: X verify: credentials refused | HTTP 401" in result.output
    assert "1 of 6 accounts not ready" in result.output
    assert "not-the-right-secret" not in result.output


def test_names_each_missing_variable(check_accounts: CheckAccounts) -> None:
    result = check_accounts(missing="CMC_FACEBOOK_PAGE_TOKEN")
    assert result.exit_code == 1
    assert "CMC_FACEBOOK_PAGE_TOKEN (page_access_token)" in result.output
    assert "missing" in result.output


def test_names_exactly_the_missing_variable_in_the_fix(check_accounts: CheckAccounts) -> None:
    result = check_accounts(missing="CMC_X_FR_API_SECRET")
    assert result.exit_code == 1
    assert "x-fr: environment: account 'x-fr' (x) is missing credential environment " in (
        result.output
    )
    assert "fix: export it before running (export CMC_X_FR_API_SECRET=...)" in result.output
    assert "CMC_X_FR_API_KEY" not in result.output  # set, so not to be exported again
    assert "1 of 6 accounts not ready" in result.output


def test_a_platform_that_cannot_be_reached_is_said_in_plain_words(
    check_accounts: CheckAccounts,
) -> None:
    """No network or DNS for Facebook (a `.invalid` name never resolves), nothing
    listening for X: what happened and what to check, not a requests traceback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    result = check_accounts(
        url=f"http://127.0.0.1:{closed}", facebook_url="https://graph.facebook.invalid"
    )
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # Rich may wrap long lines
    assert (
        "facebook-main: facebook-main verify: could not reach graph.facebook.invalid: no network "
        "or DNS; check the connection or platforms.facebook.api_base_url"
    ) in output
    assert (
        f"x-main: X verify: could not connect to 127.0.0.1:{closed}: nothing is listening there; "
        "is the sandbox running (`campaign sandbox serve`)? if not, check "
        "platforms.x.api_base_url"
    ) in output
    for raw in ("HTTPSConnectionPool", "Max retries", "NameResolutionError", "access_token"):
        assert raw not in output
    assert (
        f"bluesky-main: Bluesky verify: could not connect to 127.0.0.1:{closed}: nothing is "
        "listening there; is the sandbox running (`campaign sandbox serve`)? if not, check "
        "platforms.bluesky.api_base_url"
    ) in output
    assert "6 of 6 accounts not ready" in output


def test_loading_the_command_does_not_load_the_sandbox() -> None:
    """`campaign accounts check` and every other command start without compiling
    twitter-text: the sandbox is imported only by `campaign sandbox serve`."""
    script = (
        "import sys\n"
        "import scheduler.cli.platforms\n"
        "heavy = ('scheduler.sandbox', 'twitter_text', 'tweepy', 'facebook')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    assert fresh_python(script).strip() == "[]"


def test_reads_credentials_from_a_env_file(
    check_accounts: CheckAccounts, environ: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("".join(f"{name}={value}\n" for name, value in environ.items()))
    result = check_accounts({})
    assert result.exit_code == 0, result.output


def test_flags_a_read_only_app(check_accounts: CheckAccounts, sandbox: Sandbox) -> None:
    sandbox.x.account("x-es").access_level = "read"
    result = check_accounts()
    assert result.exit_code == 1
    assert "x-es: the credentials cannot post: access level read" in result.output


def test_flags_credentials_for_another_account(check_accounts: CheckAccounts) -> None:
    result = check_accounts(replace={'name: "@CMC_espanol"': 'name: "@someone_else"'})
    assert result.exit_code == 1
    assert "the credentials are for @CMC_espanol" in result.output


def test_flags_a_token_that_expires_before_the_campaign_ends(
    check_accounts: CheckAccounts, sandbox: Sandbox, campaign: CampaignConfig
) -> None:
    # Valid today (the sandbox's clock), gone before the window's last day.
    expires = sandbox.clock.now() + timedelta(days=8)
    assert expires < campaign.campaign.window_end
    sandbox.facebook.page("facebook-main").token_expires_at = expires
    result = check_accounts()
    assert result.exit_code == 1, result.output
    assert f"facebook-main: the token expires {expires:%Y-%m-%d %H:%M} UTC" in result.output
    assert "before the campaign ends" in result.output


def seed_tokens(folder: Path, key: str, tokens: dict[str, dict[str, NewToken]]) -> None:
    """A database beside config.yaml holding ``tokens`` (account -> kind -> token)."""
    url = f"sqlite:///{folder / 'campaign.db'}"
    upgrade_database(url)
    with session_factory(url) as sessions:
        store = TokenStore(
            sessions, {TOKEN_KEYS_ENV: key}, writer="daemon host-a:41:3f2c", clock=SystemClock()
        )
        for account, pair in tokens.items():
            store.update(account, lambda current, pair=pair: pair)


def test_reports_the_expiry_of_stored_tokens(
    check_accounts: CheckAccounts, environ: dict[str, str], tmp_path: Path
) -> None:
    key = new_key()
    now = utc_now()
    renewable = now + timedelta(days=90)
    gone = now - timedelta(days=1)
    seed_tokens(
        tmp_path,
        key,
        {
            "x-main": {
                TokenKind.ACCESS: NewToken("stored-access-value", now - timedelta(minutes=5)),
                TokenKind.REFRESH: NewToken("stored-refresh-value", renewable),
            },
            "x-fr": {TokenKind.REFRESH: NewToken("stored-dead-value", gone)},
        },
    )
    result = check_accounts({**environ, TOKEN_KEYS_ENV: key})
    assert result.exit_code == 1, result.output
    output = result.output
    assert "Stored tokens" in output
    # An expired access token beside a valid refresh token is renewed on use: ok.
    expired = now - timedelta(minutes=5)
    assert f"x-main    access    {expired:%Y-%m-%d %H:%M}   expired" in output
    assert "expired: renewed with the account's refresh token on its next use" in output
    assert f"x-main    refresh   {renewable:%Y-%m-%d %H:%M}   ok" in output
    assert f"x-fr      refresh   {gone:%Y-%m-%d %H:%M}   PROBLEM" in output
    flat = " ".join(output.split())
    assert (
        f"x-fr: the stored refresh token expired {gone:%Y-%m-%d %H:%M} UTC: authorize the "
        "account again"
    ) in flat
    assert "1 of 6 accounts not ready" in output
    assert "stored-" not in output  # no value, ever

    without_key = check_accounts()
    assert without_key.exit_code == 1
    assert "x-main: the stored tokens cannot be opened: CAMPAIGN_TOKEN_KEYS: not set" in " ".join(
        without_key.output.split()
    )


def test_a_database_not_yet_upgraded_is_said_and_not_touched(
    check_accounts: CheckAccounts, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    upgrade_database(url, "0002")
    result = check_accounts()
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "stored tokens not checked: the database" in flat and "campaign db upgrade" in flat
    engine = make_engine(url)
    try:
        assert current_revision(engine) == "0002"  # left as it was
    finally:
        engine.dispose()


def test_sandbox_serve_rejects_a_bad_fault_plan(campaign: CampaignConfig) -> None:
    with pytest.raises(ConfigError) as caught:
        start_sandbox(campaign, 0, "x.create_post:explode")
    assert "--faults" in str(caught.value)
    assert "unknown fault kind 'explode'" in str(caught.value)


def test_sandbox_serve_reports_a_taken_port(campaign: CampaignConfig, sandbox: Sandbox) -> None:
    port = int(sandbox.url.rsplit(":", 1)[1])
    with pytest.raises(ConfigError) as caught:
        start_sandbox(campaign, port, None)
    assert "--port" in str(caught.value)


def test_sandbox_serve_runs_until_told_to_stop(tmp_path: Path) -> None:
    """The real command in a subprocess: it prints where it listens, serves, and
    stops cleanly on SIGTERM."""
    config = write_config(tmp_path, "https://api.twitter.com")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scheduler",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "Sandbox for X, Facebook, Bluesky and Mastodon on http://127.0.0.1:" in banner
        url = banner.split(" on ", 1)[1].split()[0]
        lines = [process.stdout.readline() for _ in range(3)]
        assert f'platforms.x.api_base_url: "{url}"' in "".join(lines)
        import requests

        answer = requests.get(f"{url}/2/users/me", timeout=5)
        assert answer.status_code == 401  # it is up, and it wants a signature
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        # Not communicate(): it reads the raw pipe and would skip what readline()
        # already buffered.
        remaining = process.stdout.read()
        process.stdout.close()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "export CMC_X_MAIN_API_KEY=sandbox-x-main-api-key" in remaining
    assert "sandbox stopped" in remaining


def test_a_host_clock_far_off_is_said_instead_of_refused_credentials(
    check_accounts: CheckAccounts, sandbox: Sandbox
) -> None:
    # X's clock 10 minutes ahead: the signed timestamps are out of its window, and
    # its 401 is what bad credentials get too. The host's own clock is not touched.
    sandbox.shift_clock(600)
    result = check_accounts()
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "x-fr: the platform refused the request because this host's clock is" in output
    assert "s behind x's" in output and "timedatectl set-ntp true" in output
    assert "credentials refused" not in output


def test_a_host_clock_a_little_too_far_off_is_flagged_while_it_still_works(
    check_accounts: CheckAccounts, sandbox: Sandbox
) -> None:
    sandbox.shift_clock(-120)  # within X's 5 minutes, beyond the 60 s the daemon allows
    result = check_accounts()
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "x-main: this host's clock is 1" in output and "s ahead of x's" in output
