"""An OAuth 2.0 account's access token for its publisher, renewed through the
token store before each request (:mod:`scheduler.tokens.renewal`), and what a
person must hear about it.

- A refresh token refused once the access token has expired (revoked, or lost):
  :class:`~scheduler.errors.AuthFailed` from the publisher, so the daemon pauses
  the account (an ``account_paused`` alert) with the words "run `campaign
  accounts connect LABEL`".
- The new pair lost in a crash between X's answer and the commit
  (``lost_at``): the account keeps posting with its access token until it
  expires, and a ``token_expiring`` alert goes out at once with that deadline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from scheduler.alerts.expiry import Expiry
from scheduler.clock import Clock
from scheduler.errors import AuthFailed, TokenKeyError, TokenLockBusy, TransientError
from scheduler.platforms.facts import TokenRenewal
from scheduler.storage.outbox import record_events
from scheduler.tokens.renewal import AccessTokens
from scheduler.tokens.store import TokenStore

logger = logging.getLogger(__name__)


class RenewedAccess:
    """``label``'s access token (a callable: the value to send now), renewed by
    ``renewal`` through the token store on ``sessions``' database, writing as
    ``writer``. Thread-safe as the store is: one renewal at a time per account
    across threads and daemons.

    Calling it raises AuthFailed (connect the account again; also for a token
    key that cannot open the stored tokens) or TransientError (no answer, or
    the store's lock held too long: try again later).
    """

    def __init__(
        self,
        label: str,
        renewal: TokenRenewal,
        sessions: sessionmaker[Session],
        environ: Mapping[str, str],
        clock: Clock,
        writer: str,
    ) -> None:
        self.label = label
        self._sessions = sessions
        self._clock = clock
        store = TokenStore(sessions, environ, writer=writer, clock=clock)
        self._tokens = AccessTokens(
            store, sessions, label, renewal.grant, clock, margin_s=renewal.margin_s
        )
        self._alerted: datetime | None = None

    def __call__(self) -> str:
        try:
            current = self._tokens.current()
        except TokenKeyError as error:
            raise AuthFailed(
                f"the stored tokens of {self.label} cannot be opened: {error}"
            ) from None
        except TokenLockBusy as error:
            raise TransientError(f"{self.label}'s tokens are being renewed: {error}") from None
        if current.lost_at is not None and current.expires_at != self._alerted:
            self._alert_lost(current.expires_at or current.lost_at)
            self._alerted = current.expires_at
        return current.value

    def _alert_lost(self, deadline: datetime) -> None:
        fix = f"run `campaign accounts connect {self.label}` before then"
        logger.error(
            "%s: its refresh token is lost; it posts until %s UTC: %s",
            self.label,
            f"{deadline:%Y-%m-%d %H:%M}",
            fix,
        )
        expiry = Expiry(self.label, "OAuth 2.0 access token (its refresh token is lost)",
                        deadline, fix)  # fmt: skip
        record_events(self._sessions, [expiry.event(self._clock.now())])
