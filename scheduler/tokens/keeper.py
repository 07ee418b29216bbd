"""The token store as a publisher's :class:`~scheduler.platforms.base.TokenKeeper`.

A platform whose sessions are costly to open (Bluesky allows 30 a 5 minutes and
300 a day per account [platforms-2026.md 5.1]) keeps the session's tokens here,
encrypted in the database: a restarted daemon, and every other daemon on the
same database, goes on with the stored session instead of opening a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from scheduler.platforms.keys import IssuedTokens
from scheduler.tokens.kinds import AccountTokens, NewToken
from scheduler.tokens.store import TokenStore


class StoreKeeper:
    """Keeps issued tokens in ``store`` (kinds ``access`` and ``refresh``)."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store

    def __repr__(self) -> str:
        return f"StoreKeeper({self._store!r})"

    def stored(self, account_label: str) -> IssuedTokens:
        """The account's stored tokens, kind -> (value, expiry)."""
        return _issued(self._store.read(account_label))

    def renew(
        self, account_label: str, change: Callable[[IssuedTokens], IssuedTokens | None]
    ) -> IssuedTokens:
        """``change`` under the account's lock; what is stored afterwards.

        :raises TokenKeyError | TokenLockBusy | StorageError: from the store.
        """

        def step(current: AccountTokens) -> Mapping[str, NewToken | None] | None:
            wanted = change(_issued(current))
            if not wanted:
                return None
            return {kind: NewToken(value, expires) for kind, (value, expires) in wanted.items()}

        return _issued(self._store.update(account_label, step))


def _issued(tokens: AccountTokens) -> IssuedTokens:
    return {kind: (token.value, token.expires_at) for kind, token in tokens.tokens.items()}
