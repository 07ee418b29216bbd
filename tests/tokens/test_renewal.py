"""An X OAuth 2.0 account's access token renewed through the token store against
the X stand-in: before expiry by the margin, one renewal for two daemons, and
each step of the renewal as a crash point."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import requests

from scheduler.clock import FrozenClock
from scheduler.errors import AuthFailed
from scheduler.platforms.x.oauth2 import (
    TokenEndpoint,
)
from scheduler.sandbox.app import Sandbox
from scheduler.storage import tokens as rows
from scheduler.tokens.kinds import TokenKind
from scheduler.tokens.renewal import RENEWAL_STEPS, AccessTokens
from tests.conftest import Sessions
from tests.tokens.conftest import MakeStore

LABEL = "x-main"


class Crash(Exception):
    """A crash at a named step (the process would die there)."""


def _works(sandbox: Sandbox, token: str) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(sandbox.url + "/2/users/me", headers=headers, timeout=10).ok


MakeTokens = Callable[..., AccessTokens]


@pytest.fixture
def make_tokens(
    make_store: MakeStore, sessions: Sessions, endpoint: TokenEndpoint, clock: FrozenClock
) -> MakeTokens:
    """``make_tokens(crash_at=None, writer=...)``: a daemon's view of x-main's
    access token, raising :class:`Crash` at the step ``crash_at``."""

    def make(crash_at: str | None = None, writer: str = "daemon test:1") -> AccessTokens:
        def crash(step: str) -> None:
            if step == crash_at:
                raise Crash(step)

        store = make_store(writer=writer)
        return AccessTokens(store, sessions, LABEL, endpoint, clock, margin_s=300, crash=crash)

    return make


@pytest.mark.usefixtures("connected")
def test_renewed_only_within_the_margin_and_the_new_pair_is_stored(
    sandbox: Sandbox, make_tokens: MakeTokens, make_store: MakeStore, clock: FrozenClock
) -> None:
    tokens = make_tokens()
    first = tokens.current()
    clock.advance(7200 - 301)
    assert tokens.current().value == first.value  # 301 s left: not yet
    clock.advance(2)
    renewed = tokens.current()
    assert renewed.value != first.value and renewed.lost_at is None
    assert _works(sandbox, renewed.value)
    assert make_store().read(LABEL).value(TokenKind.ACCESS) == renewed.value
    assert sandbox.x.oauth2.refreshed == 1
    # Across several expiries the account keeps working.
    for _ in range(3):
        clock.advance(7200)
        assert _works(sandbox, tokens.current().value)
    assert sandbox.x.oauth2.refreshed == 4


@pytest.mark.usefixtures("connected")
def test_two_daemons_renew_once(
    sandbox: Sandbox, make_tokens: MakeTokens, clock: FrozenClock
) -> None:
    clock.advance(7200 - 60)
    daemons = [make_tokens(writer=f"daemon host:{n}") for n in (1, 2)]
    start = threading.Barrier(2)
    got: list[str] = []

    def run(tokens: AccessTokens) -> None:
        start.wait()
        got.append(tokens.current().value)

    threads = [threading.Thread(target=run, args=(tokens,)) for tokens in daemons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 2 and got[0] == got[1] and _works(sandbox, got[0])
    assert sandbox.x.oauth2.refreshed == 1  # the second found fresh tokens and sent nothing


@pytest.mark.usefixtures("connected")
@pytest.mark.parametrize("step", RENEWAL_STEPS)
def test_a_crash_at_each_step_leaves_the_account_working_or_says_when_it_stops(
    step: str,
    sandbox: Sandbox,
    make_tokens: MakeTokens,
    make_store: MakeStore,
    sessions: Sessions,
    clock: FrozenClock,
) -> None:
    clock.advance(7200 - 60)
    old = make_store().read(LABEL)
    with pytest.raises(Crash):
        make_tokens(crash_at=step).current()
    # The process died holding the lock: its lease runs out, the next daemon starts.
    lease = rows.try_lock(sessions, LABEL, "daemon dead:1", clock.now(), clock.now())
    assert not isinstance(lease, rows.LockState)
    clock.advance(1)
    after = make_tokens().current()
    if step == "after_refresh_answer":
        # X spent the refresh token and the new pair died with the process: the
        # stored access token works until it expires, and the loss is known now.
        assert after.value == old.value(TokenKind.ACCESS)
        assert after.lost_at == clock.now() and after.expires_at is not None
        assert _works(sandbox, after.value)
        clock.advance(60)
        with pytest.raises(AuthFailed, match="campaign accounts connect x-main"):
            make_tokens().current()
    else:
        assert after.lost_at is None and _works(sandbox, after.value)
        clock.advance(7200)
        assert _works(sandbox, make_tokens().current().value)


def test_an_account_never_connected_is_told_how(make_tokens: MakeTokens) -> None:
    with pytest.raises(AuthFailed, match="campaign accounts connect x-main"):
        make_tokens().current()
