"""The product's exception tree: one root, one branch per layer.

::

    CampaignError                      root; every error a person can cause or act on
    ├── ConfigError                    config.yaml or environment is wrong
    │   └── TokenKeyError              CAMPAIGN_TOKEN_KEYS missing, malformed, or not the key of a stored token
    ├── ContentError                   a post file is wrong (carries path:line:column)
    ├── StorageError                   the database cannot be used as asked
    │   ├── SchemaError                unmigrated or newer than this code: `campaign db upgrade`
    │   ├── NotFoundError              no post or publication with that id
    │   ├── InvalidTransition          the state machine forbids that change
    │   ├── DatabaseBusy               another program held the database's write lock too long
    │   ├── DatabaseUnreachable        the database server did not answer or closed the connection
    │   ├── TokenLockBusy              another process kept an account's tokens locked too long
    │   └── TokenConflict              newer tokens were stored since these were read: nothing written
    └── PublishError                   a platform call did not succeed (raised only by platforms/)
        ├── RateLimited                wait until ``reset_at`` (UTC) before the next call
        ├── TransientError             safe to retry with backoff; nothing visible changed
        ├── DuplicateContent           the platform says it already has this text
        ├── AuthFailed                 token invalid, expired, lacking permission, or credits spent
        ├── Rejected                   permanent: content or media refused
        └── UnknownOutcome             the create call may have been applied: reconcile first

Every exception takes structured fields and builds its own message, so the CLI
can print ``str(error)`` and never a traceback. Third-party exceptions (the
platforms' client libraries, requests, SQLAlchemy, cryptography) are translated
into this tree at the layer boundary that owns them (each platform's publisher,
the storage layer, the token store) and never escape it.
"""

from __future__ import annotations

from datetime import datetime


class CampaignError(Exception):
    """Root of every error the product raises on purpose."""


class ConfigError(CampaignError):
    """config.yaml, the environment or a CLI flag is wrong.

    ``where`` names the file and key (``config.yaml:12:3 accounts[0].label``).
    """

    def __init__(self, message: str, where: str | None = None, hint: str | None = None) -> None:
        self.where = where
        self.hint = hint
        self.problem = message
        text = f"{where}: {message}" if where else message
        if hint:
            text += f"\n  fix: {hint}"
        super().__init__(text)


class ContentError(CampaignError):
    """A post file cannot be read; ``path``, ``line`` and ``column`` are 1-based."""

    def __init__(
        self, message: str, path: str, line: int = 1, column: int = 1, hint: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.problem = message
        self.hint = hint
        text = f"{path}:{line}:{column}: {message}"
        if hint:
            text += f"\n  fix: {hint}"
        super().__init__(text)


class TokenKeyError(ConfigError):
    """The token store's key cannot be used: ``variable`` is missing, malformed, or
    holds no key that opens a stored token. Never carries a key or a token."""

    def __init__(self, message: str, variable: str, hint: str) -> None:
        self.variable = variable
        super().__init__(message, where=variable, hint=hint)


class StorageError(CampaignError):
    """The database cannot do what was asked."""


class DatabaseBusy(StorageError):
    """Another program held the database's write lock longer than this one would
    wait (SQLite's busy timeout, PostgreSQL's lock timeout); nothing was changed.
    See :func:`scheduler.storage.refusals.refusal`."""


class DatabaseUnreachable(StorageError):
    """The database server refused the connection, closed it, or stopped answering
    (a restart, a network cut); nothing was changed."""


class SchemaError(StorageError):
    """The database schema is missing, behind, or ahead of this code."""

    def __init__(self, found: str | None, expected: str, url: str) -> None:
        self.found = found
        self.expected = expected
        if found is None:
            text = (
                f"the database {url} has no campaign schema yet; "
                "run `campaign db upgrade` to create it"
            )
        else:
            text = (
                f"the database {url} is at schema revision {found}, this program expects "
                f"{expected}; run `campaign db upgrade` (or install the newer program "
                "if the database is ahead)"
            )
        super().__init__(text)


class NotFoundError(StorageError):
    """No row with the given id; ``suggestions`` are close ids ("did you mean")."""

    def __init__(self, kind: str, identifier: str, suggestions: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.identifier = identifier
        self.suggestions = suggestions
        text = f"no {kind} with id {identifier!r}; "
        if suggestions:
            text += f"did you mean {' or '.join(suggestions)}? (`campaign timeline` lists them)"
        else:
            text += "`campaign timeline` lists them"
        super().__init__(text)


class InvalidTransition(StorageError):
    """The publication state machine does not allow this change; ``hint`` says how
    to get there another way, when there is one."""

    def __init__(
        self,
        identifier: str,
        current: str,
        wanted: str,
        allowed_from: str = "",
        hint: str | None = None,
    ) -> None:
        self.identifier = identifier
        self.current = current
        self.wanted = wanted
        self.hint = hint
        text = f"{identifier} is {current}, so it cannot become {wanted}"
        if allowed_from:
            text += f" (only {allowed_from} can)"
        if hint:
            text += f"\n  fix: {hint}"
        super().__init__(text)


class TokenLockBusy(StorageError):
    """Another process held the lock on ``account``'s tokens for longer than the wait.

    ``holder`` is who holds it and ``until`` (aware UTC) when its lease ends; a
    holder that died loses the lock then.
    """

    def __init__(self, account: str, holder: str, until: datetime | None, waited_s: float) -> None:
        self.account = account
        self.holder = holder
        self.until = until
        ends = f" until {until:%Y-%m-%d %H:%M:%S} UTC" if until else ""
        super().__init__(
            f"the stored tokens of account {account!r} are locked by {holder}{ends}; "
            f"waited {waited_s:g} s. Try again later; a holder that stopped loses the lock "
            "when its lease ends"
        )


class TokenConflict(StorageError):
    """Newer tokens of ``account`` were stored after these were read (this process's
    lease ran out while it called the platform): nothing was written, and the
    values in hand must not be used."""

    def __init__(self, account: str, read_version: int, found_version: int | None) -> None:
        self.account = account
        self.read_version = read_version
        self.found_version = found_version
        super().__init__(
            f"the stored tokens of account {account!r} changed while they were being renewed "
            f"(version {read_version} was read, the database now holds version "
            f"{found_version}); the new values were not stored. Read the tokens again"
        )


class PublishError(CampaignError):
    """A platform call failed. Raised only inside ``scheduler.platforms``.

    ``platform_code`` and ``platform_message`` keep the platform's own words for the
    history; ``http_status`` is None when no response arrived.
    """

    outcome = "error"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        platform_code: str | None = None,
        platform_message: str | None = None,
    ) -> None:
        self.http_status = http_status
        self.platform_code = platform_code
        self.platform_message = platform_message if platform_message is not None else message
        parts = [message]
        if http_status is not None:
            parts.append(f"HTTP {http_status}")
        if platform_code:
            parts.append(f"code {platform_code}")
        super().__init__(" | ".join(parts))


class RateLimited(PublishError):
    """The platform refused for rate; retry at ``reset_at`` (aware UTC) or later."""

    outcome = "rate_limited"

    def __init__(self, message: str, *, reset_at: datetime | None, **fields: object) -> None:
        self.reset_at = reset_at
        super().__init__(message, **fields)  # type: ignore[arg-type]


class TransientError(PublishError):
    """Safe to retry with backoff: nothing visible changed on the platform."""

    outcome = "transient"


class DuplicateContent(PublishError):
    """The platform refuses the text as a duplicate; the post may already exist."""

    outcome = "duplicate"


class AuthFailed(PublishError):
    """Credentials invalid, expired, lacking permission, or API credits spent.

    The daemon pauses the account until a person fixes it.
    """

    outcome = "auth_failed"


class Rejected(PublishError):
    """Permanent refusal of the content or media; retrying cannot help."""

    outcome = "rejected"


class UnknownOutcome(PublishError):
    """The create call may have been applied (timeout, dropped connection, 5xx).

    Never retry blindly: reconcile with the platform first.
    """

    outcome = "unknown"
