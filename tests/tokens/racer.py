"""One daemon renewing an account's refresh token again and again, as a separate
process: ``python -m tests.tokens.racer URL NAME ROUNDS START_AT`` with the key
in CAMPAIGN_TOKEN_KEYS. Prints, as JSON, every refresh token it spent.

Its platform issues ``refresh-<n+1>`` for ``refresh-<n>`` after a short
"network" pause, so two processes that renewed at the same time would both
spend the same token: what the store's lock must prevent.
"""

from __future__ import annotations

import json
import os
import sys
import time

from scheduler.clock import SystemClock
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.tokens.kinds import AccountTokens, NewToken, TokenKind
from scheduler.tokens.store import TokenStore

ACCOUNT = "x-main"
CALL_S = 0.005


def next_token(token: str) -> str:
    """What the stand-in platform issues for the refresh token ``token``."""
    return f"refresh-{int(token.removeprefix('refresh-')) + 1}"


def renew(store: TokenStore, spent: list[str]) -> None:
    """One renewal through the store: spend the stored token, store the next."""

    def refresh(current: AccountTokens) -> dict[str, NewToken]:
        token = current.value(TokenKind.REFRESH)
        assert token is not None
        spent.append(token)
        time.sleep(CALL_S)  # the platform call
        return {TokenKind.REFRESH: NewToken(next_token(token))}

    store.update(ACCOUNT, refresh)


def main(url: str, name: str, rounds: int, start_at: float) -> None:
    engine = make_engine(url)
    store = TokenStore(
        make_session_factory(engine), os.environ, writer=f"daemon {name}", clock=SystemClock()
    )
    spent: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    try:
        for _ in range(rounds):
            renew(store, spent)
    finally:
        engine.dispose()
    print(json.dumps(spent))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
