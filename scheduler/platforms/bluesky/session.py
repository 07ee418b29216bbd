"""An app-password session, opened once and refreshed, its tokens kept in the token store.

Bluesky limits how many sessions an account may open (``createSession``: 30
per 5 minutes, 300 per day [platforms-2026.md 5.1]), so a session is opened
only when no stored one works, and renewed with ``refreshSession`` (the refresh
token, not the access token, as the bearer; each refresh rotates the refresh
token). The tokens live in the :class:`~scheduler.platforms.base.TokenKeeper`
the account was built with (the token store: they survive a restart and are
shared by every daemon on the database), or in this process when there is none.

The access token's expiry comes from its own ``exp`` claim and is compared
with the product's clock (a rehearsal's clock runs fast), never the wall clock
the atproto client would use; so the client is given the bearer header
directly and its own session handling stays unused.

**App passwords only.** A session opened with the account's own password has
the scope ``com.atproto.access``; one opened with an app password
``com.atproto.appPass`` (or ``appPassPrivileged``) [platforms-2026.md 5.1,
auth-scope.ts]. A session of the account password is refused and not stored.
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto import Client, models

from scheduler.clock import Clock
from scheduler.errors import AuthFailed
from scheduler.platforms.keys import IssuedTokens, TokenKeeper
from scheduler.platforms.secrets import register_secrets

APP_PASSWORD_SCOPES = frozenset({"com.atproto.appPass", "com.atproto.appPassPrivileged"})
MIN_MARGIN_WALL_S = 2.0
ACCESS = "access"
REFRESH = "refresh"


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT (unverified: the PDS verifies; we read ``exp``, ``sub``,
    ``scope``); empty when ``token`` is not a readable JWT."""
    try:
        payload = token.split(".")[1]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(decoded)
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _expiry(token: str) -> datetime | None:
    exp = jwt_claims(token).get("exp")
    return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None


class BlueskySession:
    """The session of one account on ``client``; thread-safe.

    ``identifier`` is the handle (or e-mail) and ``app_password`` the app password
    of config.yaml's credentials; ``margin`` is how long before the access token
    expires it is refreshed.
    """

    def __init__(
        self,
        client: Client,
        account_label: str,
        identifier: str,
        app_password: str,
        keeper: TokenKeeper | None,
        clock: Clock,
        margin: timedelta,
    ) -> None:
        self._client = client
        self._label = account_label
        self._identifier = identifier
        self._password = app_password
        self._keeper = keeper
        self._clock = clock
        # At least a couple of wall seconds early, so a fast rehearsal's clock does
        # not let the token expire while the request is on its way.
        wall = timedelta(seconds=MIN_MARGIN_WALL_S / max(clock.wall_seconds(1.0), 1e-9))
        self._early = max(margin, wall)
        self._lock = threading.Lock()
        self._tokens: IssuedTokens = {}
        self.did: str | None = None
        self.handle: str | None = None

    # -- what callers use ----------------------------------------------------------

    def ensure(self) -> str:
        """The account's DID, with a usable access token on the client (loading the
        stored session, refreshing it, or opening one, in that order of preference).

        :raises AuthFailed: the app password or the stored session is refused.
        """
        with self._lock:
            if self.did is not None and self._usable(self._tokens):
                return self.did  # the token on the client is still good: nothing to do
            if not self._usable(self._tokens):
                self._tokens = self._keeper.stored(self._label) if self._keeper else {}
                register_secrets(value for value, _expires in self._tokens.values())
            if not self._usable(self._tokens):
                self._renew(reopen=False)
            self._apply()
            assert self.did is not None
            return self.did

    def expired(self) -> None:
        """The PDS said the access token expired (``ExpiredToken``): renew it now."""
        with self._lock:
            self._renew(reopen=False, force=True)
            self._apply()

    # -- inner steps -----------------------------------------------------------------

    def _usable(self, tokens: IssuedTokens) -> bool:
        access = tokens.get(ACCESS)
        if access is None:
            return False
        expires = access[1]
        return expires is None or expires - self._early > self._clock.now()

    def _apply(self) -> None:
        access = self._tokens[ACCESS][0]
        claims = jwt_claims(access)
        self.did = str(claims.get("sub") or self.did or "")
        self._client.request.add_additional_header("Authorization", f"Bearer {access}")

    def _renew(self, *, reopen: bool, force: bool = False) -> None:
        known = self._tokens.get(ACCESS, ("", None))[0]

        def change(current: IssuedTokens) -> IssuedTokens | None:
            if not force and self._usable(current):
                return None  # another daemon renewed it while we waited for the lock
            if force and current.get(ACCESS, ("", None))[0] not in ("", known):
                return None  # renewed by another daemon since our call failed
            refresh = current.get(REFRESH)
            if refresh is not None and not reopen:
                renewed = self._refresh(refresh[0])
                if renewed is not None:
                    return renewed
            return self._open()

        if self._keeper is None:
            self._tokens = change(self._tokens) or self._tokens
        else:
            self._tokens = self._keeper.renew(self._label, change)

    def _refresh(self, refresh_token: str) -> IssuedTokens | None:
        """New tokens from ``refresh_token``, or None when it is no longer accepted."""
        from atproto_client.exceptions import BadRequestError, UnauthorizedError

        try:
            answer = self._client.com.atproto.server.refresh_session(
                headers={"Authorization": f"Bearer {refresh_token}"}
            )
        except (BadRequestError, UnauthorizedError):
            return None  # expired or revoked: open a new session
        self.handle = answer.handle
        return self._issued(answer.access_jwt, answer.refresh_jwt)

    def _open(self) -> IssuedTokens:
        answer = self._client.com.atproto.server.create_session(
            models.ComAtprotoServerCreateSession.Data(
                identifier=self._identifier, password=self._password
            )
        )
        self.handle = answer.handle
        scope = jwt_claims(answer.access_jwt).get("scope")
        if scope is not None and scope not in APP_PASSWORD_SCOPES:
            raise AuthFailed(
                f"the password of {self._label} is the account's own password, not an app "
                "password; create an app password in Bluesky's Settings > Privacy and "
                "security > App passwords and put it in the account's app_password variable"
            )
        return self._issued(answer.access_jwt, answer.refresh_jwt)

    def _issued(self, access: str, refresh: str) -> IssuedTokens:
        register_secrets([access, refresh])
        return {ACCESS: (access, _expiry(access)), REFRESH: (refresh, _expiry(refresh))}
