"""Fixtures of the token store's suite (``sessions``, on each engine, is the
suite-wide one): keys, a frozen clock, and stores built the way a daemon or
command builds one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from scheduler.clock import FrozenClock
from scheduler.storage import tokens as rows
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, TokenCipher, new_key
from scheduler.tokens.store import TokenStore
from tests.conftest import Sessions
from tests.storage.conftest import no_leaked_connections

__all__ = ["Sessions", "no_leaked_connections"]

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
