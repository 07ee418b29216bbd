"""What the token store holds: kinds of token, a token, an account's tokens.

Values never show: ``repr`` and ``str`` of every class here leave them out.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class TokenKind(enum.StrEnum):
    """The kinds of token the store keeps for an account.

    ``access``: what a request carries; short-lived (X OAuth 2.0: two hours;
    a Bluesky access JWT: 120 minutes in the reference server) and renewed
    with the refresh token. ``refresh``: what renews it; each use returns a new
    one and retires the old [platforms-2026.md §2 "Rotation", §Bluesky
    "refreshSession"]. When a refresh token has expired, a person must
    authorize the account again.
    """

    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True)
class NewToken:
    """A token a platform just issued, to be stored.

    ``expires_at`` is aware UTC, or None when the platform gave no expiry.
    """

    value: str = field(repr=False)
    expires_at: datetime | None = None

    def check(self) -> None:
        """:raises ValueError: for an empty value or a naive ``expires_at``."""
        if not isinstance(self.value, str) or not self.value:
            raise ValueError("a token's value must be a non-empty string")
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("a token's expires_at must be an aware datetime")


@dataclass(frozen=True)
class Token:
    """One stored token, decrypted: ``value`` (already registered for log
    redaction); ``expires_at`` aware UTC or None (no expiry given); who wrote
    it (``written_by``: a daemon or a command) and when (``written_at``, UTC)."""

    kind: str
    value: str = field(repr=False)
    expires_at: datetime | None
    written_by: str
    written_at: datetime

    def expires_within(self, now: datetime, seconds: float = 0.0) -> bool:
        """True when the token has expired at ``now`` plus ``seconds`` (renew a
        little early: a request sent at the last second would arrive too late)."""
        return self.expires_at is not None and self.expires_at <= now + timedelta(seconds=seconds)


@dataclass(frozen=True)
class AccountTokens:
    """An account's stored tokens by kind, at ``version`` (0: none ever stored).

    ``version`` goes up with every committed change of the account's tokens.
    """

    account_label: str
    version: int
    tokens: Mapping[str, Token] = field(default_factory=dict)

    def get(self, kind: str) -> Token | None:
        """The token of ``kind``, or None when none is stored."""
        return self.tokens.get(kind)

    def value(self, kind: str) -> str | None:
        """The value of the token of ``kind``, or None when none is stored."""
        token = self.tokens.get(kind)
        return None if token is None else token.value
