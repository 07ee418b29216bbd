"""Connecting an X account on OAuth 2.0: authorize and trade the code for a pair.

``campaign accounts connect LABEL`` drives it (:mod:`scheduler.cli.connect`);
here is what does not depend on how the redirected address arrives (the
local callback server, or a person pasting it on a headless server). The
command commits the pair to the token store, a layer above the platforms.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.clock import Clock
from scheduler.errors import AuthFailed, ConfigError
from scheduler.platforms.base import Credentials
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.x.oauth2 import (
    SCOPES,
    Authorization,
    TokenPair,
    code_from_redirect,
    start_authorization,
    token_endpoint,
)
from scheduler.platforms.x.profile import uses_oauth2
from scheduler.platforms.x.settings import XSettings


def require_oauth2(account: AccountEntry) -> None:
    """:raises ConfigError: ``account`` is not an X account on ``auth: oauth2``."""
    if not uses_oauth2(account):
        raise ConfigError(
            f"{account.label} does not use OAuth 2.0",
            where="config.yaml",
            hint=f"add auth: oauth2 and the app's client_id to {account.label}'s entry; "
            "OAuth 1.0a accounts need no connect",
        )


def connect_account(
    account: AccountEntry,
    settings: XSettings,
    credentials: Credentials,
    clock: Clock,
    receive: Callable[[Authorization], str],
) -> TokenPair:
    """Authorize ``account``: ``receive(authorization)`` shows ``authorization.url``
    to the person and returns the address X redirected to; the code in it is
    traded for a pair (its tokens registered for redaction), returned to be
    stored at once.

    :raises ConfigError: the account is not on ``auth: oauth2``.
    :raises AuthFailed: another state, X refused, the code expired (30 s) or
        the pair lacks ``offline.access`` (no refresh token).
    :raises TransientError: X's token endpoint did not answer.
    """
    require_oauth2(account)
    authorization = start_authorization(
        credentials["client_id"], settings.oauth2_redirect_uri, settings.authorize_url
    )
    code = code_from_redirect(authorization, receive(authorization))
    pair = token_endpoint(settings, credentials).exchange(authorization, code, now=clock.now())
    if pair.refresh_token is None:
        raise AuthFailed(
            "X gave no refresh token: authorize again and keep every scope "
            f"({' '.join(SCOPES)}), offline.access included"
        )
    return pair
