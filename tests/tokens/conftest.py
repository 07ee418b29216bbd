"""Fixtures of the token store's suite (``sessions``, on each engine, is the
suite-wide one): keys, a frozen clock, and stores built the way a daemon or
command builds one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import text

from scheduler.clock import FrozenClock
from scheduler.config import load_config
from scheduler.platforms.x.oauth2 import (
    AUTHORIZE_PATH,
    TOKEN_PATH,
    TokenEndpoint,
    code_from_redirect,
    start_authorization,
)
from scheduler.platforms.x.sandbox.oauth2 import sandbox_client_id
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.faults import FaultPlan
from scheduler.storage import tokens as rows
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, TokenCipher, new_key
from scheduler.tokens.kinds import TokenKind
from scheduler.tokens.store import TokenStore
from tests.conftest import ROOT, Sessions
from tests.storage.conftest import no_leaked_connections

__all__ = ["Sessions", "no_leaked_connections"]

LABEL = "x-main"

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
MakeStore = Callable[..., TokenStore]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def key() -> str:
    """The key the tokens are stored with."""
    return new_key()


@pytest.fixture
def make_store(sessions: Sessions, clock: FrozenClock, key: str) -> MakeStore:
    """``make_store(keys=None, writer="daemon test:1", **options)``: a store on the
    test database; ``keys`` is what CAMPAIGN_TOKEN_KEYS holds (default: ``key``;
    None for an unset variable)."""

    def make(keys: str | None = "", writer: str = "daemon test:1", **options: float) -> TokenStore:
        environ = {} if keys is None else {TOKEN_KEYS_ENV: keys or key}
        return TokenStore(sessions, environ, writer=writer, clock=clock, **options)

    return make


def raw_rows(sessions: Sessions) -> list[tuple[str, ...]]:
    """Every column of every stored token as the database returns it, as text:
    what a dump of the database shows."""
    with sessions() as session:
        rows = session.execute(
            text(
                "SELECT account_label, kind, ciphertext, expires_at, written_by, written_at "
                "FROM stored_tokens ORDER BY account_label, kind"
            )
        ).all()
    return [tuple(str(value) for value in row) for row in rows]


def store_elsewhere(
    sessions: Sessions, key: str, account: str, values: dict[str, str], now: datetime
) -> None:
    """Seal ``values`` (kind -> value) for ``account`` straight into the database, as
    another daemon's process would: this process never sees them until it decrypts them."""
    taken = rows.try_lock(sessions, account, "daemon elsewhere:1", now, now + timedelta(seconds=60))
    assert not isinstance(taken, rows.LockState)
    cipher = TokenCipher([key])
    sealed: dict[str, rows.SealedToken | None] = {
        kind: rows.SealedToken(
            account, kind, cipher.seal(account, kind, value), None, "daemon elsewhere:1", now
        )
        for kind, value in values.items()
    }
    rows.commit_changes(sessions, taken[0], sealed, now)


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[Sandbox]:
    with build_sandbox(load_config(ROOT / "config.yaml"), clock, FaultPlan()) as running:
        yield running


@pytest.fixture
def endpoint(sandbox: Sandbox) -> TokenEndpoint:
    return TokenEndpoint(sandbox.url + TOKEN_PATH, sandbox_client_id(LABEL), timeout_s=10)


@pytest.fixture
def connected(
    sandbox: Sandbox, endpoint: TokenEndpoint, make_store: MakeStore, clock: FrozenClock
) -> None:
    """x-main connected: the pair of a fresh authorization in the token store."""
    authorization = start_authorization(
        sandbox_client_id(LABEL), "http://127.0.0.1:8976/callback", sandbox.url + AUTHORIZE_PATH
    )
    answer = requests.get(authorization.url, allow_redirects=False, timeout=10)
    code = code_from_redirect(authorization, answer.headers["location"])
    pair = endpoint.exchange(authorization, code, now=clock.now())
    assert pair.refresh_token is not None
    store = make_store()
    store.put(LABEL, TokenKind.ACCESS, pair.access_token, pair.access_expires_at)
    store.put(LABEL, TokenKind.REFRESH, pair.refresh_token)
