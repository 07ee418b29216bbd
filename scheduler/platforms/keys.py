"""Where a publisher keeps the tokens its platform issues, platform-neutral.

A platform whose sessions are costly to open (Bluesky) keeps their tokens with a
:class:`TokenKeeper` (the token store, :mod:`scheduler.tokens.keeper`), handed to
it in :class:`~scheduler.platforms.base.Credentials`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

IssuedTokens = dict[str, tuple[str, datetime | None]]
"""Tokens a platform issued: kind (``access``, ``refresh``) -> (value, expiry in
aware UTC or None)."""


class TokenKeeper(Protocol):
    """Where a publisher keeps the tokens its platform issues (a session's), so they
    outlive the process and are shared by every daemon on one database (the token
    store, :mod:`scheduler.tokens.keeper`). Values are secrets."""

    def stored(self, account_label: str) -> IssuedTokens:
        """The account's tokens as last stored (empty when none)."""
        ...

    def renew(
        self, account_label: str, change: Callable[[IssuedTokens], IssuedTokens | None]
    ) -> IssuedTokens:
        """Under the account's lock: ``change(current)`` calls the platform and
        returns the new tokens (None: keep what is stored); returns what is stored
        after. Raises what ``change`` raises, storing nothing."""
        ...
