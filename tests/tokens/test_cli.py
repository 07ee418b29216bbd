"""``campaign tokens new-key | list | rotate-key | forget`` as a person runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from scheduler.cli import app
from scheduler.clock import FrozenClock, utc_now
from scheduler.errors import ConfigError, TokenKeyError
from scheduler.storage.database import upgrade_database
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
from scheduler.tokens.kinds import NewToken, TokenKind
from scheduler.tokens.store import TokenStore
from tests.conftest import ROOT, session_factory

WRITTEN = utc_now().replace(second=0, microsecond=0) - timedelta(minutes=1)

ACCESS = "access-value-never-shown-1"
REFRESH = "refresh-value-never-shown-1"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A campaign folder with a migrated SQLite database beside config.yaml."""
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    upgrade_database(f"sqlite:///{tmp_path / 'campaign.db'}")
    monkeypatch.setenv("CAMPAIGN_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    monkeypatch.delenv(TOKEN_KEYS_ENV, raising=False)
    return tmp_path


@pytest.fixture
def key() -> str:
    return new_key()


@pytest.fixture
def seeded(folder: Path, key: str) -> Iterator[TokenStore]:
    """x-main with a token pair written with ``key`` by a daemon a minute ago (the
    commands compare expiries with the real time)."""
    with session_factory(f"sqlite:///{folder / 'campaign.db'}") as sessions:
        store = TokenStore(
            sessions,
            {TOKEN_KEYS_ENV: key},
            writer="daemon host-a:41:3f2c",
            clock=FrozenClock(WRITTEN),
        )
        store.update(
            "x-main",
            lambda current: {
                TokenKind.ACCESS: NewToken(ACCESS, WRITTEN + timedelta(hours=2)),
                TokenKind.REFRESH: NewToken(REFRESH, WRITTEN + timedelta(days=180)),
            },
        )
        yield store


def run(*args: str, env: dict[str, str] | None = None, code: int = 0) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == code, (result.output, result.exception)
    for secret in (ACCESS, REFRESH):
        assert secret not in result.output
    return result


def test_new_key_prints_a_fernet_key_alone_on_standard_output() -> None:
    result = run("tokens", "new-key")
    key = result.stdout.strip()
    Fernet(key)  # a usable key
    assert result.stdout == key + "\n"
    assert TOKEN_KEYS_ENV in result.stderr and key not in result.stderr
    assert run("tokens", "new-key").stdout.strip() != key


def test_list_shows_each_token_expiry_writer_and_time_never_a_value(
    seeded: TokenStore, key: str
) -> None:
    output = run("tokens", "list", env={TOKEN_KEYS_ENV: key}).output
    assert "Stored tokens" in output
    access_until, refresh_until = WRITTEN + timedelta(hours=2), WRITTEN + timedelta(days=180)
    assert f"x-main    access    {access_until:%Y-%m-%d %H:%M}   ok" in output
    assert f"x-main    refresh   {refresh_until:%Y-%m-%d %H:%M}   ok" in output
    assert f"{WRITTEN:%Y-%m-%d %H:%M} by daemon" in output and "host-a:41:3f2c" in output
    # The key is not needed to see what is stored and until when; only to open it.
    without = run("tokens", "list", code=1).output
    assert f"x-main    refresh   {refresh_until:%Y-%m-%d %H:%M}   PROBLEM" in without
    assert f"{TOKEN_KEYS_ENV}: not set" in " ".join(without.split())


def test_list_says_when_nothing_is_stored(folder: Path) -> None:
    assert run("tokens", "list").output == "no tokens stored\n"


def test_rotate_key_moves_every_token_to_the_new_key(seeded: TokenStore, key: str) -> None:
    newer = new_key()
    output = run("tokens", "rotate-key", env={TOKEN_KEYS_ENV: f"{newer},{key}"}).output
    assert "x-main: re-encrypted the access and refresh tokens" in output
    assert "the others can be removed from it on every host" in output
    assert "ok" in run("tokens", "list", env={TOKEN_KEYS_ENV: newer}).output
    run("tokens", "list", env={TOKEN_KEYS_ENV: key}, code=1)  # the old key alone: no more
    same = run("tokens", "rotate-key", env={TOKEN_KEYS_ENV: newer}).output
    assert "holds one key, so the tokens were encrypted again with that same key" in same


def test_rotate_key_with_a_wrong_key_leaves_everything_and_says_which(
    seeded: TokenStore, key: str
) -> None:
    output = run("tokens", "rotate-key", env={TOKEN_KEYS_ENV: new_key()}, code=1).output
    flat = " ".join(output.split())
    assert "x-main: left as it was: CAMPAIGN_TOKEN_KEYS: its key does not open the stored" in flat
    assert seeded.read("x-main").value(TokenKind.REFRESH) == REFRESH


def test_rotate_key_without_a_key_is_a_plain_error(seeded: TokenStore) -> None:
    """The real program: a message naming the variable and its fix, exit status 2."""
    environment = {name: value for name, value in os.environ.items() if name != TOKEN_KEYS_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "tokens", "rotate-key"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {TOKEN_KEYS_ENV}: not set")
    assert "campaign tokens new-key" in done.stderr
    assert "Traceback" not in done.stderr
    result = CliRunner().invoke(app, ["tokens", "rotate-key"])
    assert isinstance(result.exception, TokenKeyError)


def test_forget_deletes_without_the_key_and_names_what_is_stored(seeded: TokenStore) -> None:
    missing = CliRunner().invoke(app, ["tokens", "forget", "x-mian", "--reason", "typo"])
    assert isinstance(missing.exception, ConfigError)
    assert "account 'x-mian' has no stored tokens" in str(missing.exception)
    assert "accounts with stored tokens: x-main" in str(missing.exception)
    bad_kind = CliRunner().invoke(
        app, ["tokens", "forget", "x-main", "--kind", "password", "--reason", "r"]
    )
    assert "use access or refresh" in str(bad_kind.exception)
    output = run("tokens", "forget", "x-main", "--kind", "access", "--reason", "key lost").output
    assert output == "deleted the stored access token of x-main\n"
    run("tokens", "forget", "x-main", "--reason", "key lost")
    assert run("tokens", "list").output == "no tokens stored\n"
