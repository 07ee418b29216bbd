"""An account's access token, renewed before it expires, one daemon at a time.

For platforms whose access tokens are short-lived and renewed with a
single-use refresh token (X OAuth 2.0: two hours, platforms-2026.md 2). The
steps of a renewal, each a named crash point (``crash``):

1. ``before_refresh_sent``: the account's tokens are locked in the token store
   (another daemon renewing waits, then finds fresh tokens and sends nothing);
2. the refresh request; X answers with a new pair and spends the old refresh token;
3. ``after_refresh_answer``: the new pair is known to this process only;
4. committed to the store (:meth:`~scheduler.tokens.store.TokenStore.update`);
5. ``after_refresh_committed``: from here on the new access token is used.

A crash between 2 and 4 cannot be undone: X refuses the old refresh token,
and the new one is lost. The stored access token still works until it
expires, so the account keeps posting with it: :meth:`AccessTokens.current`
returns it with :attr:`CurrentToken.lost_at` set, the moment the loss is
found (the next renewal, which a lock left behind by a dead holder brings
forward), so the caller can alert at once with the deadline. After the
deadline, or when the refresh token is refused for another reason (revoked),
:class:`~scheduler.errors.AuthFailed` says to connect the account again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.errors import AuthFailed, TransientError
from scheduler.storage import tokens as rows
from scheduler.tokens.kinds import AccountTokens, NewToken, Token, TokenKind
from scheduler.tokens.store import TokenStore

logger = logging.getLogger(__name__)

RENEWAL_STEPS = ("before_refresh_sent", "after_refresh_answer", "after_refresh_committed")
# Renew this long (wall seconds) before the access token expires: longer than a
# request and a lock wait, much shorter than X's two hours.
DEFAULT_MARGIN_S = 300.0


class IssuedPair(Protocol):
    """What a platform's token endpoint answers (``access_expires_at`` aware UTC)."""

    @property
    def access_token(self) -> str: ...

    @property
    def refresh_token(self) -> str | None: ...

    @property
    def access_expires_at(self) -> datetime: ...


class RefreshGrant(Protocol):
    """A platform's token endpoint (:class:`scheduler.platforms.x.oauth2.TokenEndpoint`).

    ``refresh`` raises AuthFailed when the refresh token is refused, TransientError
    when there was no usable answer."""

    def refresh(self, refresh_token: str, *, now: datetime) -> IssuedPair: ...


@dataclass(frozen=True)
class CurrentToken:
    """The access token to send (``value``), until ``expires_at`` (aware UTC).
    ``lost_at`` is set when the refresh token was found spent with the new pair
    lost (a crash between X's answer and the commit): the account works until
    ``expires_at`` and must be connected again before."""

    value: str = field(repr=False)
    expires_at: datetime | None
    lost_at: datetime | None = None


def _fix(label: str) -> str:
    return f"run `campaign accounts connect {label}` to authorize the account again"


class AccessTokens:
    """``label``'s access token from ``store`` (on ``sessions``' database), renewed through ``grant``
    ``margin_s`` wall seconds before it expires (converted through ``clock``, so a
    sped-up rehearsal keeps real margins). ``crash(step)`` is called at each
    step of :data:`RENEWAL_STEPS` (the crash tests raise there)."""

    def __init__(
        self,
        store: TokenStore,
        sessions: sessionmaker[Session],
        label: str,
        grant: RefreshGrant,
        clock: Clock,
        *,
        margin_s: float = DEFAULT_MARGIN_S,
        crash: Callable[[str], None] = lambda step: None,
    ) -> None:
        self._store = store
        self._sessions = sessions
        self.label = label
        self._grant = grant
        self._clock = clock
        self._margin_s = margin_s / clock.wall_seconds(1.0)  # campaign seconds
        self._crash = crash

    def current(self) -> CurrentToken:
        """The access token to use now, renewed first when it expires within the margin.

        :raises AuthFailed: no tokens stored, or the refresh token was refused
            and the access token has expired: connect the account again.
        :raises TransientError: the renewal got no answer and the access token
            has expired (try again later).
        """
        now = self._clock.now()
        tokens = self._store.read(self.label)
        access = tokens.get(TokenKind.ACCESS)
        if access is None:
            raise AuthFailed(f"{self.label} has no OAuth 2.0 tokens stored: {_fix(self.label)}")
        abandoned = self._abandoned(now)
        if not abandoned and not access.expires_within(now, self._margin(access)):
            return CurrentToken(access.value, access.expires_at)
        try:
            renewed = self._store.update(self.label, self._renew(force=abandoned))
        except AuthFailed as refused:
            if access.expires_within(now):
                raise AuthFailed(
                    f"X refused {self.label}'s refresh token and its access token has expired: "
                    f"{_fix(self.label)}",
                    http_status=refused.http_status,
                    platform_code=refused.platform_code,
                ) from None
            logger.error(
                "%s: the refresh token was refused; the access token works until %s",
                self.label,
                access.expires_at,
            )
            return CurrentToken(access.value, access.expires_at, lost_at=now)
        except TransientError:
            if access.expires_within(now):
                raise
            return CurrentToken(access.value, access.expires_at)  # retried next time
        self._crash("after_refresh_committed")
        fresh = renewed.get(TokenKind.ACCESS)
        assert fresh is not None  # stored with the refresh token
        return CurrentToken(fresh.value, fresh.expires_at)

    def _margin(self, access: Token | None) -> float:
        """The margin in campaign seconds, at most a quarter of the token's life
        (a token shorter-lived than the margin would be renewed at every use)."""
        if access is None or access.expires_at is None:
            return self._margin_s
        life = (access.expires_at - access.written_at).total_seconds()
        return min(self._margin_s, max(life, 0.0) / 4)

    def _abandoned(self, now: datetime) -> bool:
        """A lock left by a holder whose lease ran out: a renewal may have died
        between X's answer and the commit, so try one now to find out."""
        state = rows.lock_state(self._sessions, self.label)
        return state is not None and state.holder is not None and state.free_at(now)

    def _renew(
        self, *, force: bool
    ) -> Callable[[AccountTokens], Mapping[str, NewToken | None] | None]:
        def change(current: AccountTokens) -> Mapping[str, NewToken | None] | None:
            now = self._clock.now()
            access = current.get(TokenKind.ACCESS)
            fresh = access is not None and not access.expires_within(now, self._margin(access))
            if not force and fresh:
                return None  # another daemon renewed while this one waited for the lock
            refresh = current.value(TokenKind.REFRESH)
            if refresh is None:
                raise AuthFailed(f"{self.label} has no refresh token stored: {_fix(self.label)}")
            self._crash("before_refresh_sent")
            pair = self._grant.refresh(refresh, now=now)
            self._crash("after_refresh_answer")
            new: dict[str, NewToken | None] = {
                TokenKind.ACCESS: NewToken(pair.access_token, pair.access_expires_at)
            }
            if pair.refresh_token:
                new[TokenKind.REFRESH] = NewToken(pair.refresh_token)
            return new

        return change
