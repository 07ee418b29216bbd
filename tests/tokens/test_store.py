"""The token store on both engines: encrypted at rest, keys rotated, a wrong or
missing key refused without touching what is stored, one writer at a time."""

from __future__ import annotations

import base64
import secrets
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from scheduler.clock import FrozenClock
from scheduler.errors import TokenConflict, TokenKeyError, TokenLockBusy
from scheduler.platforms.secrets import redact
from scheduler.storage import tokens as rows
from scheduler.storage.models import AuditEntry
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, TokenCipher, new_key
from scheduler.tokens.kinds import AccountTokens, NewToken, TokenKind
from tests.tokens.conftest import NOW, MakeStore, Sessions, raw_rows, store_elsewhere


def fresh(prefix: str) -> str:
    """A value no other test has seen (so redaction of it proves something)."""
    return f"{prefix}-{secrets.token_urlsafe(18)}"


def a_pair(access: str, refresh: str) -> dict[str, NewToken]:
    return {
        TokenKind.ACCESS: NewToken(access, NOW + timedelta(hours=2)),
        TokenKind.REFRESH: NewToken(refresh, NOW + timedelta(days=90)),
    }


def test_stored_tokens_read_back_with_expiry_writer_and_time(make_store: MakeStore) -> None:
    access, refresh = fresh("access"), fresh("refresh")
    stored = make_store().update("x-main", lambda current: a_pair(access, refresh))
    assert stored.version == 1 and stored.value(TokenKind.ACCESS) == access

    again = make_store(writer="daemon other:2").read("x-main")
    assert again.version == 1
    assert again.value(TokenKind.ACCESS) == access
    assert again.value(TokenKind.REFRESH) == refresh
    token = again.get(TokenKind.REFRESH)
    assert token is not None
    assert token.expires_at == NOW + timedelta(days=90)
    assert token.written_by == "daemon test:1" and token.written_at == NOW
    assert access not in repr(again) and refresh not in repr(again)
    empty = make_store().read("x-fr")
    assert empty.version == 0 and empty.get(TokenKind.ACCESS) is None


def test_the_database_never_holds_a_value(make_store: MakeStore, sessions: Sessions) -> None:
    """Encryption at rest: no column of any row, nor the database file itself,
    holds a value or an encoding of it; another key opens nothing."""
    access, refresh = fresh("access"), fresh("refresh")
    make_store().update("x-main", lambda current: a_pair(access, refresh))
    make_store().put("x-fr", TokenKind.ACCESS, access + "-fr")

    dump = "\n".join("|".join(row) for row in raw_rows(sessions))
    assert "x-main|access|gAAAAA" in dump  # a Fernet token where the value would be
    for value in (access, refresh, access + "-fr"):
        for form in (value, base64.b64encode(value.encode()).decode(), value.encode().hex()):
            assert form not in dump
    engine = sessions.kw["bind"]
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        on_disk = b"".join(
            path.read_bytes()
            for path in (database, database.with_name(database.name + "-wal"))
            if path.exists()
        )
        assert b"daemon test:1" in on_disk  # the file really holds the rows
        assert access.encode() not in on_disk and refresh.encode() not in on_disk
    with pytest.raises(TokenKeyError):
        make_store(keys=new_key()).read("x-main")


def test_a_ciphertext_moved_to_another_account_does_not_open(
    make_store: MakeStore, sessions: Sessions
) -> None:
    make_store().put("x-main", TokenKind.REFRESH, fresh("main"))
    make_store().put("x-fr", TokenKind.REFRESH, fresh("fr"))
    with sessions.begin() as session:
        session.execute(
            text(
                "UPDATE stored_tokens SET ciphertext = (SELECT ciphertext FROM stored_tokens "
                "WHERE account_label = 'x-main' AND kind = 'refresh') "
                "WHERE account_label = 'x-fr'"
            )
        )
    with pytest.raises(TokenKeyError) as caught:
        make_store().read("x-fr")
    assert "sealed for another account or kind" in str(caught.value)


def test_the_key_is_rotated_by_encrypting_every_token_again(
    make_store: MakeStore, sessions: Sessions, key: str
) -> None:
    access, refresh = fresh("access"), fresh("refresh")
    make_store().update("x-main", lambda current: a_pair(access, refresh))
    make_store().put("facebook-main", TokenKind.ACCESS, fresh("page"))
    before = raw_rows(sessions)
    newer = new_key()

    both = make_store(keys=f"{newer}, {key}", writer="campaign tokens rotate-key")
    assert both.read("x-main").value(TokenKind.ACCESS) == access  # old key still opens
    result = both.rotate_key(actor="alice")

    assert result.rotated == {"facebook-main": ["access"], "x-main": ["access", "refresh"]}
    assert result.failed == {} and result.key_count == 2
    after = raw_rows(sessions)
    for old, new in zip(before, after, strict=True):
        assert old[2] != new[2]  # the ciphertext changed
        assert old[:2] + old[3:] == new[:2] + new[3:]  # expiry, writer, time kept
    only_new = make_store(keys=newer).read("x-main")
    assert only_new.value(TokenKind.REFRESH) == refresh
    assert only_new.version == 2
    with pytest.raises(TokenKeyError):
        make_store(keys=key).read("x-main")  # the old key alone opens nothing now
    with sessions() as session:
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.target)).all()
    assert [(entry.actor, entry.action, entry.target) for entry in audit] == [
        ("alice", "rotate-key", "account:facebook-main"),
        ("alice", "rotate-key", "account:x-main"),
    ]


def test_a_wrong_key_is_named_and_overwrites_nothing(
    make_store: MakeStore, sessions: Sessions, key: str
) -> None:
    refresh = fresh("refresh")
    make_store().put("x-main", TokenKind.REFRESH, refresh)
    before = raw_rows(sessions)
    wrong_key = new_key()
    wrong = make_store(keys=wrong_key)
    called: list[AccountTokens] = []

    def change(current: AccountTokens) -> dict[str, NewToken]:
        called.append(current)
        return a_pair(fresh("a"), fresh("r"))

    failures = []
    for attempt in (
        lambda: wrong.read("x-main"),
        lambda: wrong.update("x-main", change),
        lambda: wrong.put("x-main", TokenKind.REFRESH, fresh("other")),
    ):
        with pytest.raises(TokenKeyError) as caught:
            attempt()
        failures.append(str(caught.value))
    rotation = wrong.rotate_key(actor="alice")

    assert called == []  # the platform is never asked for a token that could not be stored
    assert raw_rows(sessions) == before
    assert rotation.rotated == {} and set(rotation.failed) == {"x-main"}
    message = failures[0]
    assert message.startswith(f"{TOKEN_KEYS_ENV}: its key does not open the stored refresh token")
    assert "'x-main'" in message and "campaign tokens forget x-main" in message
    for text_shown in [*failures, *rotation.failed.values()]:
        assert wrong_key not in text_shown and key not in text_shown and refresh not in text_shown
        assert "Traceback" not in text_shown and "InvalidToken" not in text_shown
    # The lock was freed each time: the right key writes at once.
    assert make_store(wait_s=0).put("x-main", TokenKind.REFRESH, fresh("r")).version == 2


@pytest.mark.parametrize("keys", [None, "", " , "])
def test_a_missing_key_is_named_and_overwrites_nothing(
    make_store: MakeStore, sessions: Sessions, clock: FrozenClock, keys: str | None
) -> None:
    make_store().put("x-main", TokenKind.REFRESH, fresh("refresh"))
    before = raw_rows(sessions)
    from scheduler.tokens.store import TokenStore

    environ = {} if keys is None else {TOKEN_KEYS_ENV: keys}
    missing = TokenStore(sessions, environ, writer="daemon test:2", clock=clock)
    for attempt in (
        lambda: missing.read("x-main"),
        lambda: missing.put("x-main", TokenKind.REFRESH, fresh("new")),
        lambda: missing.rotate_key(actor="alice"),
    ):
        with pytest.raises(TokenKeyError) as caught:
            attempt()
        assert str(caught.value).startswith(f"{TOKEN_KEYS_ENV}: not set")
        assert "campaign tokens new-key" in str(caught.value)
    assert raw_rows(sessions) == before


def test_a_malformed_key_is_named_by_position_and_never_echoed(key: str) -> None:
    typo = key[:-2]  # a key pasted short
    with pytest.raises(TokenKeyError) as caught:
        TokenCipher.from_environment({TOKEN_KEYS_ENV: f"{key},{typo}"})
    message = str(caught.value)
    assert message.startswith(f"{TOKEN_KEYS_ENV}: the second key is not a Fernet key")
    assert typo not in message and key not in message
    with pytest.raises(TokenKeyError, match="not a Fernet key"):
        TokenCipher.from_environment({TOKEN_KEYS_ENV: "a-password-is-not-a-key"})


def test_a_change_that_fails_writes_nothing_and_frees_the_lock(
    make_store: MakeStore, sessions: Sessions
) -> None:
    make_store().put("x-main", TokenKind.REFRESH, fresh("refresh"))
    before = raw_rows(sessions)

    def refused(current: AccountTokens) -> dict[str, NewToken]:
        raise RuntimeError("the platform said no")

    with pytest.raises(RuntimeError, match="the platform said no"):
        make_store().update("x-main", refused)
    with pytest.raises(ValueError, match="non-empty"):
        make_store().update("x-main", lambda current: {TokenKind.ACCESS: NewToken("")})
    with pytest.raises(ValueError):
        make_store().update("x-main", lambda current: {"password": NewToken(fresh("p"))})
    assert make_store().update("x-main", lambda current: None).version == 1  # nothing to do
    assert raw_rows(sessions) == before
    assert rows.lock_state(sessions, "x-main") == rows.LockState(None, None, 1)


def test_none_deletes_a_kind(make_store: MakeStore) -> None:
    make_store().update("x-main", lambda current: a_pair(fresh("a"), fresh("r")))
    left = make_store().update("x-main", lambda current: {TokenKind.ACCESS: None})
    assert set(left.tokens) == {"refresh"} and left.version == 2
    assert set(make_store().read("x-main").tokens) == {"refresh"}


def test_values_decrypted_or_received_are_registered_for_redaction(
    make_store: MakeStore, sessions: Sessions, key: str, clock: FrozenClock
) -> None:
    stored = fresh("stored-elsewhere")
    store_elsewhere(sessions, key, "x-es", {"refresh": stored}, NOW)
    assert redact(stored) == stored
    seen_inside: list[str] = []

    def refresh(current: AccountTokens) -> dict[str, NewToken]:
        seen_inside.append(redact(f"spending {current.value(TokenKind.REFRESH)}"))
        return a_pair(received_access, received_refresh)

    received_access, received_refresh = fresh("received-a"), fresh("received-r")
    make_store().update("x-es", refresh)
    assert seen_inside == ["spending ***"]  # registered before the platform call
    assert redact(f"{received_access} {received_refresh}") == "*** ***"


def test_a_second_writer_waits_for_the_first_then_gives_up_naming_it(
    make_store: MakeStore,
) -> None:
    inside, leave = threading.Event(), threading.Event()

    def slow_refresh(current: AccountTokens) -> dict[str, NewToken]:
        inside.set()
        assert leave.wait(10)
        return {TokenKind.REFRESH: NewToken(fresh("first"))}

    first = threading.Thread(
        target=make_store(writer="daemon host-a:1").update, args=("x-main", slow_refresh)
    )
    first.start()
    try:
        assert inside.wait(10)
        with pytest.raises(TokenLockBusy) as caught:
            make_store(writer="daemon host-b:2", wait_s=0.3).put(
                "x-main", TokenKind.REFRESH, fresh("second")
            )
        assert "locked by daemon host-a:1 until 2026-12-06 09:02:00 UTC" in str(caught.value)
        assert "waited 0.3 s" in str(caught.value)
    finally:
        leave.set()
        first.join(10)
    assert make_store(wait_s=0).read("x-main").version == 1
    assert (
        make_store(writer="daemon host-b:2", wait_s=1)
        .put("x-main", TokenKind.REFRESH, fresh("second"))
        .version
        == 2
    )


def test_a_holder_that_died_loses_the_lock_when_its_lease_ends(
    make_store: MakeStore, sessions: Sessions, clock: FrozenClock
) -> None:
    # A daemon took the lock and was killed before writing or freeing it.
    taken = rows.try_lock(sessions, "x-main", "daemon gone:9", NOW, NOW + timedelta(seconds=120))
    assert not isinstance(taken, rows.LockState)
    with pytest.raises(TokenLockBusy, match="locked by daemon gone:9"):
        make_store(wait_s=0).put("x-main", TokenKind.REFRESH, fresh("r"))
    clock.advance(121)
    assert make_store(wait_s=0).put("x-main", TokenKind.REFRESH, fresh("r")).version == 1


def test_a_holder_whose_lease_ran_out_never_overwrites_newer_tokens(
    make_store: MakeStore, sessions: Sessions, clock: FrozenClock
) -> None:
    make_store().put("x-main", TokenKind.REFRESH, fresh("r0"))
    inside, leave = threading.Event(), threading.Event()
    late = fresh("late")
    outcome: list[BaseException] = []

    def slow_refresh(current: AccountTokens) -> dict[str, NewToken]:
        inside.set()
        assert leave.wait(10)
        return {TokenKind.REFRESH: NewToken(late)}

    def run_slow() -> None:
        try:
            make_store(writer="daemon slow:1").update("x-main", slow_refresh)
        except TokenConflict as error:
            outcome.append(error)

    slow = threading.Thread(target=run_slow)
    slow.start()
    try:
        assert inside.wait(10)
        clock.advance(121)  # its lease (120 s) ran out during the platform call
        newer = fresh("newer")
        assert (
            make_store(writer="daemon quick:2", wait_s=0)
            .put("x-main", TokenKind.REFRESH, newer)
            .version
            == 2
        )
    finally:
        leave.set()
        slow.join(10)
    assert len(outcome) == 1
    assert "changed while they were being renewed (version 1 was read" in str(outcome[0])
    kept = make_store().read("x-main")
    assert kept.value(TokenKind.REFRESH) == newer and kept.version == 2
    assert rows.lock_state(sessions, "x-main") == rows.LockState(None, None, 2)


def test_forget_needs_no_key_and_is_kept_in_the_audit_trail(
    make_store: MakeStore, sessions: Sessions
) -> None:
    make_store().update("x-main", lambda current: a_pair(fresh("a"), fresh("r")))
    lost = make_store(keys=None)
    assert lost.forget("x-main", [TokenKind.ACCESS], actor="alice", reason="key lost") == ["access"]
    assert lost.forget("x-main", actor="alice", reason="key lost") == ["refresh"]
    assert lost.forget("x-main", actor="alice", reason="again") == []
    assert raw_rows(sessions) == []
    assert make_store().read("x-main").version == 3
    with sessions() as session:
        details = session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)).all()
    assert details == [
        "deleted the stored access token(s)",
        "deleted the stored refresh token(s)",
    ]


def test_a_first_token_is_refused_under_a_key_the_others_were_not_stored_with(
    make_store: MakeStore, sessions: Sessions
) -> None:
    make_store().put("x-main", TokenKind.REFRESH, fresh("main"))
    called: list[AccountTokens] = []

    def sign_in(current: AccountTokens) -> dict[str, NewToken]:
        called.append(current)
        return a_pair(fresh("a"), fresh("r"))

    with pytest.raises(TokenKeyError) as caught:
        make_store(keys=new_key()).update("x-fr", sign_in)
    assert "not the key of this database" in str(caught.value)
    assert "the keys the other daemons and commands of this database use" in str(caught.value)
    assert called == [] and [row[0] for row in raw_rows(sessions)] == ["x-main"]
    assert make_store().update("x-fr", sign_in).version == 1  # the right key stores it
