"""Two daemons renewing one account's tokens at the same moment, each with its
own engine: one writer at a time, so no refresh token is ever spent twice and
no renewal is lost. Threads on both engines, and two real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from scheduler.clock import SystemClock
from scheduler.tokens.cipher import TOKEN_KEYS_ENV
from scheduler.tokens.kinds import TokenKind
from scheduler.tokens.store import TokenStore
from tests.conftest import ROOT, session_factory
from tests.tokens.conftest import MakeStore
from tests.tokens.racer import ACCOUNT, renew

ROUNDS = 12


def assert_one_chain(spent: list[str], rounds: int, make_store: MakeStore) -> None:
    """Every token spent exactly once, in one unbroken chain, the last one stored."""
    assert sorted(spent, key=lambda token: int(token.split("-")[1])) == [
        f"refresh-{n}" for n in range(rounds)
    ]
    stored = make_store().read(ACCOUNT)
    assert stored.value(TokenKind.REFRESH) == f"refresh-{rounds}"
    assert stored.version == rounds + 1


def test_two_daemons_in_threads_take_turns(db_url: str, make_store: MakeStore, key: str) -> None:
    make_store().put(ACCOUNT, TokenKind.REFRESH, "refresh-0")
    start = threading.Barrier(2)
    spent: list[list[str]] = [[], []]
    errors: list[BaseException] = []

    def daemon(index: int) -> None:
        # Each daemon its own engine and connections.
        with session_factory(db_url) as sessions:
            store = TokenStore(
                sessions,
                {TOKEN_KEYS_ENV: key},
                writer=f"daemon host-{index}:{index}",
                clock=SystemClock(),
            )
            try:
                start.wait(10)
                for _ in range(ROUNDS):
                    renew(store, spent[index])
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=daemon, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert spent[0] and spent[1]  # both daemons really renewed
    assert_one_chain(spent[0] + spent[1], 2 * ROUNDS, make_store)


@pytest.mark.slow
def test_two_daemon_processes_take_turns(db_url: str, make_store: MakeStore, key: str) -> None:
    make_store().put(ACCOUNT, TokenKind.REFRESH, "refresh-0")
    start_at = time.time() + 3  # both processes loaded before either starts
    environment = {**os.environ, TOKEN_KEYS_ENV: key}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.tokens.racer", db_url, name, str(ROUNDS), str(start_at)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("host-a:1", "host-b:2")
    ]
    spent: list[str] = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        mine = json.loads(out)
        assert mine  # each process really renewed
        spent += mine
    assert_one_chain(spent, 2 * ROUNDS, make_store)
