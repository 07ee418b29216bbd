"""The token store: tokens the platforms rotate, encrypted in the database and
shared by every daemon on it.

Reading: :meth:`TokenStore.read` gives an account's tokens as last committed.

Renewing: :meth:`TokenStore.update` is the whole recipe of a refresh, in order:

1. lock the account's tokens (waiting while another process renews them);
2. read and decrypt them;
3. ``change(current)`` calls the platform and returns the new tokens (or
   nothing to change);
4. write them and commit;
5. return what is now stored.

Use the tokens it returns, never the values ``change`` had in hand: those are
safe to use only once stored. A platform that makes a refresh token single
use (X OAuth 2.0 [platforms-2026.md §2 "Rotation"]) would otherwise leave a
process holding a new pair no other daemon can find, and the stored one dead.
For example::

    def refresh(current: AccountTokens) -> dict[str, NewToken]:
        pair = platform.refresh(current.value(TokenKind.REFRESH))  # the HTTP call
        return {TokenKind.ACCESS: NewToken(pair.access, pair.access_expires_at),
                TokenKind.REFRESH: NewToken(pair.refresh, pair.refresh_expires_at)}

    tokens = store.update("x-main", refresh)        # committed when it returns
    client = make_client(tokens.value(TokenKind.ACCESS))

Every value decrypted, and every value ``change`` returns, is registered for
log redaction (:func:`scheduler.platforms.secrets.register_secrets`) before
this module hands it on or stores it. A platform adapter that receives tokens
registers them itself the moment they arrive, before it logs anything.

A missing or wrong key (:class:`~scheduler.errors.TokenKeyError`) stops an
update before ``change`` is called, so nothing stored is ever overwritten with
tokens encrypted under another key. A key is wrong when it does not open the
account's stored tokens or, for an account's first tokens, those of another
account: every daemon on one database must share one key.
"""

from __future__ import annotations

import getpass
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.errors import StorageError, TokenKeyError, TokenLockBusy
from scheduler.platforms.secrets import register_secrets
from scheduler.storage import audit
from scheduler.storage import tokens as rows
from scheduler.storage.tokens import Lease, LockState, SealedToken
from scheduler.tokens.cipher import TokenCipher
from scheduler.tokens.kinds import AccountTokens, NewToken, Token, TokenKind

logger = logging.getLogger(__name__)

# Longer than any platform call made while holding the lock (config.yaml's
# request_timeout_s is 20 s), so a live holder keeps it; a dead one loses it then.
DEFAULT_LEASE_S = 120.0
DEFAULT_WAIT_S = 30.0
POLL_S = 0.05

TokenChange = Callable[[AccountTokens], Mapping[str, NewToken | None] | None]


def describe_writer(role: str) -> str:
    """Who is writing, for the ``written_by`` column: ``campaign tokens rotate-key
    (alice on host-1, pid 4242)``; a daemon passes ``daemon <worker id>``."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"{role} ({user} on {socket.gethostname()}, pid {os.getpid()})"[:200]


@dataclass(frozen=True)
class KeyRotation:
    """What :meth:`TokenStore.rotate_key` did: ``rotated`` maps each account to the
    kinds re-encrypted with the newest key; ``failed`` each account left as it was
    to the reason (a key that does not open it, a lock held too long)."""

    key_count: int
    rotated: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class TokenStore:
    """Encrypted tokens per account and kind (module docstring), for one database.

    ``environ`` holds ``CAMPAIGN_TOKEN_KEYS`` (read when first needed, so a
    process that stores nothing needs no key); ``writer`` names this process in
    ``written_by`` and in the lock (see :func:`describe_writer`). ``lease_s``:
    how long (wall seconds) the lock lasts if its holder dies, longer than the
    platform call made under it, also on a sped-up rehearsal clock; ``wait_s``:
    how long (wall seconds) to wait for a lock another process holds.
    Thread-safe.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        environ: Mapping[str, str],
        *,
        writer: str,
        clock: Clock,
        lease_s: float = DEFAULT_LEASE_S,
        wait_s: float = DEFAULT_WAIT_S,
    ) -> None:
        if lease_s <= 0 or wait_s < 0:
            raise ValueError("lease_s must be positive and wait_s not negative")
        self._sessions = sessions
        self._environ = environ
        self.writer = writer[:200]
        self._clock = clock
        self._lease_s = lease_s
        self._wait_s = wait_s

    def __repr__(self) -> str:
        return f"TokenStore(writer={self.writer!r})"

    def _cipher(self) -> TokenCipher:
        return TokenCipher.from_environment(self._environ)

    # -- reading --------------------------------------------------------------------------

    def read(self, account_label: str) -> AccountTokens:
        """``account_label``'s tokens as last committed (no lock; empty when none).

        :raises TokenKeyError: when the key is missing or opens none of them.
        :raises StorageError: when the database cannot be read.
        """
        cipher = self._cipher()
        version, sealed = rows.read_tokens(self._sessions, account_label)
        return self._unseal(cipher, account_label, version, sealed)

    def _unseal(
        self, cipher: TokenCipher, account_label: str, version: int, sealed: Sequence[SealedToken]
    ) -> AccountTokens:
        tokens: dict[str, Token] = {}
        for row in sealed:
            value = cipher.unseal(account_label, row.kind, row.ciphertext)
            register_secrets([value])
            tokens[row.kind] = Token(
                row.kind, value, row.expires_at, row.written_by, row.written_at
            )
        return AccountTokens(account_label, version, tokens)

    # -- renewing -------------------------------------------------------------------------

    def update(self, account_label: str, change: TokenChange) -> AccountTokens:
        """Lock, read, ``change``, write, commit, unlock; returns the tokens now stored.

        ``change(current)`` returns kind -> :class:`NewToken` (None deletes that
        kind), or None / ``{}`` to leave everything as it is. Whatever it raises
        propagates after the lock is freed, and nothing is written.

        :raises TokenKeyError: when the key is missing, malformed or opens none of
            the stored tokens (``change`` is not called).
        :raises TokenLockBusy: when another process holds the lock past ``wait_s``.
        :raises TokenConflict: when this process's lease ran out and another stored
            newer tokens meanwhile (the new values are not stored: do not use them).
        :raises StorageError: when the database refuses.
        :raises ValueError: when ``change`` returns an unknown kind or an empty value.
        """
        cipher = self._cipher()
        lease, sealed = self._lock(account_label)
        try:
            current = self._unseal(cipher, account_label, lease.version, sealed)
            if not sealed:
                self._check_key_opens_the_others(cipher, account_label)
            wanted = change(current)
            if not wanted:
                rows.release(self._sessions, lease, self._clock.now())
                return current
            stored = self._seal(cipher, account_label, wanted)
            version = rows.commit_changes(self._sessions, lease, stored, self._clock.now())
        except BaseException:
            self._release_quietly(lease)
            raise
        logger.info(
            "stored the %s token(s) of %s (version %d)", ", ".join(stored), account_label, version
        )
        tokens = {kind: token for kind, token in current.tokens.items() if kind not in stored}
        for kind, new in wanted.items():
            row = stored[str(kind)]
            if new is not None and row is not None:
                tokens[row.kind] = Token(
                    row.kind, new.value, new.expires_at, self.writer, row.written_at
                )
        return AccountTokens(account_label, version, tokens)

    def put(
        self, account_label: str, kind: str, value: str, expires_at: datetime | None = None
    ) -> AccountTokens:
        """Store one token (first sign-in, a new session) under the lock, as
        :meth:`update` does, with its raises."""
        return self.update(account_label, lambda _current: {kind: NewToken(value, expires_at)})

    def _seal(
        self,
        cipher: TokenCipher,
        account_label: str,
        wanted: Mapping[str, NewToken | None],
    ) -> dict[str, SealedToken | None]:
        for kind, new in wanted.items():
            TokenKind(kind)  # ValueError for a kind the store does not know
            if new is not None:
                new.check()
        # Registered before anything else is done with them, storing included.
        register_secrets([new.value for new in wanted.values() if new is not None])
        now = self._clock.now()
        return {
            str(kind): None
            if new is None
            else SealedToken(
                account_label,
                str(kind),
                cipher.seal(account_label, str(kind), new.value),
                new.expires_at,
                self.writer,
                now,
            )
            for kind, new in wanted.items()
        }

    def _check_key_opens_the_others(self, cipher: TokenCipher, account_label: str) -> None:
        # A first token stored under a key the other tokens were not stored with
        # could be read by no daemon that reads those: refuse it here.
        other = rows.another_token(self._sessions, account_label)
        if other is None:
            return
        try:
            cipher.unseal(other.account_label, other.kind, other.ciphertext)
        except TokenKeyError as error:
            raise TokenKeyError(
                f"{error.problem}; so it is not the key of this database, and the first "
                f"tokens of account {account_label!r} were not stored with it",
                cipher.variable,
                f"set {cipher.variable} to the keys the other daemons and commands of this "
                "database use (one, or several: newest first, comma-separated)",
            ) from None

    def _lock(self, account_label: str) -> tuple[Lease, list[SealedToken]]:
        deadline = time.monotonic() + self._wait_s
        while True:
            now = self._clock.now()
            # The platform call under the lock takes wall time, whatever the clock's speed.
            until = now + timedelta(seconds=self._lease_s / self._clock.wall_seconds(1.0))
            taken = rows.try_lock(self._sessions, account_label, self.writer, now, until)
            if not isinstance(taken, LockState):
                return taken
            state: LockState | None = taken
            # Wait with reads, which never take a write lock, until it is free.
            while state is not None and not state.free_at(self._clock.now()):
                if time.monotonic() >= deadline:
                    raise TokenLockBusy(
                        account_label, state.holder or "-", state.lease_expires_at, self._wait_s
                    )
                time.sleep(POLL_S)
                state = rows.lock_state(self._sessions, account_label)

    def _release_quietly(self, lease: Lease) -> None:
        try:
            rows.release(self._sessions, lease, self._clock.now())
        except StorageError as error:
            logger.warning(
                "could not free the lock on the tokens of %s (it ends with its lease at %s): %s",
                lease.account_label,
                lease.expires_at,
                error,
            )

    # -- the key --------------------------------------------------------------------------

    def rotate_key(self, *, actor: str) -> KeyRotation:
        """Encrypt every stored token again with the newest key of
        ``CAMPAIGN_TOKEN_KEYS`` (MultiFernet.rotate), one account at a time under
        its lock; value, expiry and ``written_by`` stay as they were. An account
        whose tokens no key opens is left exactly as it was and reported.
        Each rotated account is recorded in the audit trail under ``actor``.

        :raises TokenKeyError: when the key is missing or malformed (nothing changes).
        :raises StorageError: when the database refuses.
        """
        cipher = self._cipher()
        result = KeyRotation(cipher.key_count)
        accounts = sorted({token.account_label for token in rows.all_tokens(self._sessions)})
        for account in accounts:
            try:
                kinds = self._rotate_account(cipher, account)
            except (TokenKeyError, TokenLockBusy) as error:
                result.failed[account] = str(error)
                continue
            if kinds:
                result.rotated[account] = kinds
                audit.record_token_audit(
                    self._sessions,
                    "rotate-key",
                    account,
                    actor=actor,
                    reason="campaign tokens rotate-key",
                    detail=f"re-encrypted the {', '.join(kinds)} token(s) with the newest key",
                    now=self._clock.now(),
                )
        return result

    def _rotate_account(self, cipher: TokenCipher, account_label: str) -> list[str]:
        lease, sealed = self._lock(account_label)
        try:
            self._unseal(cipher, account_label, lease.version, sealed)
            resealed: dict[str, SealedToken | None] = {
                row.kind: replace(
                    row, ciphertext=cipher.reseal(account_label, row.kind, row.ciphertext)
                )
                for row in sealed
            }
            if not resealed:
                rows.release(self._sessions, lease, self._clock.now())
                return []
            rows.commit_changes(self._sessions, lease, resealed, self._clock.now())
        except BaseException:
            self._release_quietly(lease)
            raise
        return list(resealed)

    def forget(
        self, account_label: str, kinds: Sequence[str] = (), *, actor: str, reason: str
    ) -> list[str]:
        """Delete ``account_label``'s tokens of ``kinds`` (empty: all), with no key
        needed (the way out when the key is lost), recorded in the audit trail.
        Returns the kinds deleted; empty when there were none.

        :raises ValueError: for an unknown kind.
        :raises StorageError: when the database refuses.
        """
        for kind in kinds:
            TokenKind(kind)
        return rows.forget_tokens(
            self._sessions,
            account_label,
            [str(kind) for kind in kinds],
            actor=actor,
            reason=reason,
            now=self._clock.now(),
        )
