"""What the token store holds for each account, and until when: for ``campaign
accounts check``, ``campaign preflight`` and ``campaign tokens list``.

Expiry, writer and time sit in clear columns, so the report needs no key; when
the key is there it also opens every token, as the daemon will have to (each
value opened is registered for log redaction, like any other).

An expiry is a problem only when nothing can renew the token: a refresh token
that has expired (a person must authorize the account again), or an access
token that has expired with no refresh token beside it. An expired access
token with a refresh token is renewed on its next use, and a refresh token is
replaced, with a new expiry, at every renewal, so neither is a problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import SchemaError, StorageError, TokenKeyError
from scheduler.platforms.base import AccountCheck
from scheduler.platforms.secrets import register_secrets
from scheduler.storage.database import (
    current_revision,
    describe_url,
    head_revision,
    make_engine,
    open_database,
)
from scheduler.storage.tokens import SealedToken, all_tokens
from scheduler.tokens.cipher import TokenCipher
from scheduler.tokens.kinds import TokenKind


@dataclass(frozen=True)
class TokenStatus:
    """One stored token, without its value: ``expires_at`` (aware UTC, None: no
    expiry given), who wrote it and when (UTC), ``problem`` (None when the
    daemon can use or renew it) and ``expired`` (at the time of the report)."""

    account_label: str
    kind: str
    expires_at: datetime | None
    written_by: str
    written_at: datetime
    problem: str | None = None
    expired: bool = False


@dataclass(frozen=True)
class TokenReport:
    """Every stored token, by account then kind; ``unavailable`` says why the store
    could not be read (no database yet, an older schema), None when it was."""

    tokens: tuple[TokenStatus, ...] = ()
    unavailable: str | None = None

    def problems(self, account_label: str) -> list[str]:
        """The account's problems, each said once, in the order found."""
        found = [
            token.problem
            for token in self.tokens
            if token.account_label == account_label and token.problem
        ]
        return list(dict.fromkeys(found))


def token_report(
    sessions: sessionmaker[Session], environ: Mapping[str, str], now: datetime
) -> TokenReport:
    """The stored tokens and their problems at ``now`` (aware UTC).

    :raises StorageError: when the database cannot be read.
    """
    sealed = all_tokens(sessions)
    if not sealed:
        return TokenReport()
    key_problem: str | None = None
    cipher: TokenCipher | None = None
    try:
        cipher = TokenCipher.from_environment(environ)
    except TokenKeyError as error:
        key_problem = f"the stored tokens cannot be opened: {_words(error)}"
    refreshable = {row.account_label for row in sealed if row.kind == TokenKind.REFRESH}
    statuses = []
    for row in sealed:
        problem = key_problem or _expiry_problem(row, now, row.account_label in refreshable)
        if cipher is not None:
            try:
                register_secrets([cipher.unseal(row.account_label, row.kind, row.ciphertext)])
            except TokenKeyError as error:
                problem = _words(error)
        statuses.append(
            TokenStatus(
                row.account_label,
                row.kind,
                row.expires_at,
                row.written_by,
                row.written_at,
                problem,
                row.expires_at is not None and row.expires_at <= now,
            )
        )
    return TokenReport(tuple(statuses))


def token_report_at(url: str, environ: Mapping[str, str], now: datetime) -> TokenReport:
    """:func:`token_report` for the database at ``url``, which may not exist yet
    (``campaign accounts check`` runs before ``campaign db upgrade``): then the
    report is empty and nothing is created. When it cannot be read, or its
    schema is not this program's, ``unavailable`` says why."""
    try:
        engine = make_engine(url)
    except StorageError as error:
        return TokenReport(unavailable=str(error))
    try:
        found = current_revision(engine)
        if found is None:
            return TokenReport()  # no database yet: nothing stored
        if found != head_revision():
            expected = head_revision()
            return TokenReport(unavailable=str(SchemaError(found, expected, describe_url(engine))))
    except StorageError as error:
        return TokenReport(unavailable=str(error))
    finally:
        engine.dispose()
    engine, sessions = open_database(url, check=False)
    try:
        return token_report(sessions, environ, now)
    except StorageError as error:
        return TokenReport(unavailable=str(error))
    finally:
        engine.dispose()


def with_token_problems(checks: Sequence[AccountCheck], report: TokenReport) -> list[AccountCheck]:
    """``checks`` with each account's stored-token problems added to its own."""
    return [
        replace(check, problems=(*check.problems, *report.problems(check.label)))
        if report.problems(check.label)
        else check
        for check in checks
    ]


def _words(error: TokenKeyError) -> str:
    return f"{error.variable}: {error.problem}; fix: {error.hint}"


def _expiry_problem(row: SealedToken, now: datetime, refreshable: bool) -> str | None:
    if row.expires_at is None or row.expires_at > now:
        return None
    when = f"{row.expires_at:%Y-%m-%d %H:%M} UTC"
    if row.kind == TokenKind.REFRESH:
        return f"the stored refresh token expired {when}: authorize the account again"
    if row.kind == TokenKind.ACCESS and not refreshable:
        return (
            f"the stored access token expired {when} and no refresh token is stored to "
            "renew it: authorize the account again"
        )
    return None
