"""A rehearsal's accounts whose access tokens live in the token store (X on
``auth: oauth2``): connected against the sandbox before the daemons start, and
the speed capped so that their tokens expire in wall time a daemon can see.

At thousands of times real speed a two-hour token would expire between two
requests; renewing would then be all the daemons do, and nothing the
rehearsal shows about renewal would hold for the real campaign. So each access
token lasts at least :data:`MIN_TOKEN_WALL_S` wall seconds: the speed is at
most the token's life (campaign seconds) divided by that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.config import Account, CampaignConfig
from scheduler.daemon.accounts import load_credentials
from scheduler.platforms import registry
from scheduler.sandbox.app import Sandbox
from scheduler.tokens.kinds import AccountTokens, NewToken, TokenKind
from scheduler.tokens.store import TokenStore

# X OAuth 2.0 access tokens last two hours (platforms-2026.md 2), the stand-in's default.
DEFAULT_TOKEN_LIFE_S = 7200.0
MIN_TOKEN_WALL_S = 8.0


def renewing_accounts(config: CampaignConfig, environ: Mapping[str, str]) -> list[Account]:
    """The accounts whose access tokens the token store renews, with ``environ``'s credentials."""
    found = []
    for account in config.accounts:
        profile = registry.profile(account.platform)
        credentials = load_credentials(account, environ)
        if profile.access_renewal(account, config.platforms[account.platform], credentials):
            found.append(account)
    return found


def speed_cap(token_life_s: float | None) -> float:
    """The most campaign seconds per wall second that keeps tokens of
    ``token_life_s`` campaign seconds (None: X's two hours) alive
    :data:`MIN_TOKEN_WALL_S` wall seconds."""
    return (token_life_s or DEFAULT_TOKEN_LIFE_S) / MIN_TOKEN_WALL_S


def connect_in_sandbox(
    accounts: list[Account],
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    environ: Mapping[str, str],
    clock: Clock,
) -> None:
    """Store for each of ``accounts`` the pair the sandbox gives when its app is
    authorized, as ``campaign accounts connect`` does against the platform."""
    store = TokenStore(sessions, environ, writer="campaign rehearse", clock=clock)
    for account in accounts:
        pair = sandbox[account.platform].authorize(account.label)
        if pair is None:
            continue
        access, refresh, expires_at = pair
        tokens: dict[str, NewToken | None] = {
            TokenKind.ACCESS: NewToken(access, expires_at),
            TokenKind.REFRESH: NewToken(refresh),
        }
        store.update(account.label, _replacing(tokens))


def _replacing(
    tokens: dict[str, NewToken | None],
) -> Callable[[AccountTokens], Mapping[str, NewToken | None]]:
    return lambda _current: tokens
