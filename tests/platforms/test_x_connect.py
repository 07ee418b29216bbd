"""``campaign accounts connect LABEL`` end to end, as a person runs it: the
command in its own process, X's authorize page served by the stand-in over
HTTP, the answer through a browser (``$BROWSER``) to the local callback
server, or pasted on a headless server; the pair lands in the token store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scheduler.clock import SystemClock
from scheduler.config import load_config
from scheduler.platforms.x.sandbox.oauth2 import sandbox_client_id
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.faults import FaultPlan
from scheduler.storage.database import upgrade_database
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
from scheduler.tokens.kinds import TokenKind
from scheduler.tokens.store import TokenStore
from tests.conftest import ROOT, session_factory
from tests.platforms.test_accounts_check import write_config
from tests.platforms.test_x_auth_config import OAUTH1_CREDENTIALS, OAUTH2

CAMPAIGN = Path(sys.executable).with_name("campaign")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with build_sandbox(load_config(ROOT / "config.yaml"), SystemClock(), FaultPlan()) as running:
        yield running


class Folder:
    """A campaign folder with x-main on OAuth 2.0, its database and environment."""

    def __init__(self, path: Path, sandbox: Sandbox) -> None:
        self.port = _free_port()
        redirect = f"http://127.0.0.1:{self.port}/callback"
        self.config = write_config(
            path,
            sandbox.url,
            replace={OAUTH1_CREDENTIALS: OAUTH2 + "\n    daily_cap: 12"},
        )
        text = self.config.read_text(encoding="utf-8")
        self.config.write_text(
            text.replace("  x:\n", f'  x:\n    oauth2_redirect_uri: "{redirect}"\n', 1),
            encoding="utf-8",
        )
        self.url = f"sqlite:///{path / 'campaign.db'}"
        upgrade_database(self.url)
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("CMC_", "CAMPAIGN_"))}
        self.env = {
            **clean,
            TOKEN_KEYS_ENV: new_key(),
            "CMC_X_MAIN_CLIENT_ID": sandbox_client_id("x-main"),
            "CMC_X_MAIN_CLIENT_SECRET": "sandbox-secret",
        }

    def command(self, *extra: str) -> list[str]:
        return [str(CAMPAIGN), "accounts", "connect", "x-main", "--config", str(self.config),
                "--database-url", self.url, *extra]  # fmt: skip

    def stored(self) -> dict[str, str | None]:
        with session_factory(self.url) as sessions:
            store = TokenStore(sessions, self.env, writer="test", clock=SystemClock())
            tokens = store.read("x-main")
        return {kind: tokens.value(kind) for kind in (TokenKind.ACCESS, TokenKind.REFRESH)}


def _works(sandbox: Sandbox, access: str | None) -> bool:
    headers = {"Authorization": f"Bearer {access}"}
    return requests.get(sandbox.url + "/2/users/me", headers=headers, timeout=10).ok


def test_connect_receives_the_callback_from_the_browser(tmp_path: Path, sandbox: Sandbox) -> None:
    folder = Folder(tmp_path, sandbox)
    # A browser for the command to open: it follows X's redirect to the callback
    # address, as a person's browser does after "Authorize app".
    browser = tmp_path / "browser"
    browser.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            """
            import sys, requests
            print(requests.get(sys.argv[1], timeout=10).text, file=sys.stderr)
            """
        ),
        encoding="utf-8",
    )
    browser.chmod(0o755)
    done = subprocess.run(
        folder.command("--wait", "30"),
        env={**folder.env, "BROWSER": str(browser), "DISPLAY": ":0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "x-main is connected" in done.stdout
    assert "you can close this tab" in done.stderr  # what the browser showed
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{folder.port}%2Fcallback" in done.stdout
    assert "code_challenge_method=S256" in done.stdout
    stored = folder.stored()
    assert stored[TokenKind.REFRESH] and _works(sandbox, stored[TokenKind.ACCESS])
    for value in stored.values():
        assert value is not None and value not in done.stdout + done.stderr


def _authorize_and_paste(folder: Folder, edit: str = "") -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        folder.command("--paste"),
        env=folder.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    url = next(line.strip() for line in process.stdout if line.startswith("http"))
    answer = requests.get(url, allow_redirects=False, timeout=10)
    redirected = answer.headers["location"] + edit
    out, err = process.communicate(redirected + "\n", timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, url + out, err)


def test_connect_on_a_headless_server_takes_the_pasted_address(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = Folder(tmp_path, sandbox)
    done = _authorize_and_paste(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    stored = folder.stored()
    assert _works(sandbox, stored[TokenKind.ACCESS])


def test_an_address_of_another_authorization_is_refused_and_nothing_stored(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = Folder(tmp_path, sandbox)
    done = _authorize_and_paste(folder, edit="x")  # the state differs
    assert done.returncode == 1
    assert "state differs" in done.stderr and "Traceback" not in done.stderr
    assert folder.stored() == {TokenKind.ACCESS: None, TokenKind.REFRESH: None}


def test_without_the_token_key_nothing_starts(tmp_path: Path, sandbox: Sandbox) -> None:
    folder = Folder(tmp_path, sandbox)
    env = {name: value for name, value in folder.env.items() if name != TOKEN_KEYS_ENV}
    done = subprocess.run(
        folder.command("--paste"), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2 and TOKEN_KEYS_ENV in done.stderr
    assert "authorize" not in done.stdout and "Traceback" not in done.stderr


def test_an_oauth1_account_is_told_it_needs_no_connect(tmp_path: Path, sandbox: Sandbox) -> None:
    folder = Folder(tmp_path, sandbox)
    command = folder.command("--paste")
    command[3] = "x-fr"
    done = subprocess.run(
        command, env=folder.env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "x-fr does not use OAuth 2.0" in done.stderr and "Traceback" not in done.stderr
