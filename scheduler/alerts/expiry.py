"""Tokens that expire within ``alerts.token_expiry_days``.

Two sources: what the platform says of an account's credentials (``verify``;
Facebook's ``debug_token`` gives a Page token's ``expires_at``, 0 for a token
that never expires [platforms.md 2.1]), and the expiry of tokens kept in the
token store that nothing can renew (a refresh token, or an access token with
no refresh token beside it: see :mod:`scheduler.tokens.report`). One event per
account, token and expiry instant: a renewed token with a new expiry is news
again, the same expiry is not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.errors import CampaignError
from scheduler.platforms.base import AccountIdentity
from scheduler.storage.outbox import NewEvent
from scheduler.storage.tokens import all_tokens
from scheduler.tokens.kinds import TokenKind

logger = logging.getLogger(__name__)

# Asks the platform who an account's credentials speak for (``Publisher.verify``).
Verify = Callable[[str], AccountIdentity]


@dataclass(frozen=True)
class Expiry:
    """A token of ``account_label`` that expires at ``expires_at`` (aware UTC);
    ``token`` names it in words, ``fix`` says how to renew it."""

    account_label: str
    token: str
    expires_at: datetime
    fix: str

    def event(self, now: datetime) -> NewEvent:
        """The ``token_expiring`` event for this expiry."""
        return NewEvent(
            "token_expiring",
            f"token_expiring:{self.account_label}:{self.token}:{self.expires_at.isoformat()}",
            now,
            {
                "account": self.account_label,
                "token": self.token,
                "expires_at": self.expires_at.isoformat(),
                "fix": self.fix,
            },
        )

    def words(self) -> str:
        """One line for the digest."""
        return (
            f"the {self.token} of {self.account_label} expires "
            f"{self.expires_at:%Y-%m-%d %H:%M} UTC: {self.fix}"
        )


def expiring_tokens(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    now: datetime,
    verify: Verify | None,
) -> list[Expiry]:
    """Every token that expires between ``now`` and ``alerts.token_expiry_days``
    from it (or already has), from the platforms (when ``verify`` is given) and
    the token store. An account the platform cannot be asked about now is left
    out (its failures show in publishing and ``campaign accounts check``).

    :raises StorageError: when the token store cannot be read.
    """
    horizon = now + timedelta(days=config.alerts.token_expiry_days)
    found: list[Expiry] = []
    if verify is not None:
        for account in config.accounts:
            try:
                identity = verify(account.label)
            except CampaignError as error:
                logger.debug("token expiry of %s not checked: %s", account.label, error)
                continue
            expires = identity.token_expires_at
            if expires is not None and expires <= horizon:
                found.append(
                    Expiry(
                        account.label,
                        "access token",
                        expires,
                        "renew it and put the new token in the account's variable "
                        f"({', '.join(sorted(account.credentials.values()))})",
                    )
                )
    stored = all_tokens(sessions)
    refreshable = {row.account_label for row in stored if row.kind == TokenKind.REFRESH}
    for row in stored:
        if row.expires_at is None or row.expires_at > horizon:
            continue
        if row.kind == TokenKind.ACCESS and row.account_label in refreshable:
            continue  # renewed on its next use
        found.append(
            Expiry(
                row.account_label,
                f"stored {row.kind} token",
                row.expires_at,
                "authorize the account again so a new token is stored",
            )
        )
    return found
