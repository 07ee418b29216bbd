"""What the Mastodon stand-in holds: accounts, statuses, media, idempotency keys.

Every account of config.yaml is one account of the stand-in's one server
(whatever server its name gives, which only shapes its statuses' links).
Idempotency keys are kept per account for an hour of the stand-in's clock, as
a server keeps them [platforms-2026.md 6.1]: a create with a key it still holds
answers the status it made then, whatever else the request says.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler.platforms.mastodon import links
from scheduler.platforms.mastodon.sandbox.credentials import sandbox_credentials
from scheduler.platforms.profile import AccountEntry

KEY_MEMORY = timedelta(hours=1)  # platforms-2026.md 6.1
# Mastodon ids are snowflake-like numbers; starting high keeps them the right shape.
FIRST_ID = 113_000_000_000_000_000


@dataclass
class StoredMedia:
    """An upload: its kind (``image``, ``video``), format, size, description and
    how many more polls answer 206 (still processing); ``failed`` processing."""

    media_id: str
    kind: str
    mime_type: str
    size_bytes: int
    description: str | None
    polls_left: int = 0
    failed: bool = False
    attached: bool = False


@dataclass
class StoredStatus:
    """A status as the server stores it: the text sent and its HTML, language,
    visibility, content warning, media ids, when (campaign UTC) and its key."""

    status_id: str
    text: str
    content: str
    created_at: datetime
    language: str | None
    visibility: str
    spoiler_text: str
    media_ids: tuple[str, ...]
    idempotency_key: str | None = None


@dataclass
class AccountState:
    """One account: label, user and server (from ``@user@server``), its token,
    statuses (oldest first), uploads and the keys it holds (key -> status id, when)."""

    label: str
    account_id: str
    user: str
    server: str
    token: str
    statuses: list[StoredStatus] = field(default_factory=list)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    keys: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    revoked: bool = False

    def product_id(self, status_id: str) -> str:
        return links.post_id(self.user, self.server, status_id)

    def url(self, status_id: str) -> str:
        return f"https://{self.server}/@{self.user}/{status_id}"

    def remembered(self, key: str, now: datetime) -> StoredStatus | None:
        """The status made with ``key`` within the last hour, if it still exists."""
        held = self.keys.get(key)
        if held is None or now - held[1] >= KEY_MEMORY:
            self.keys.pop(key, None)
            return None
        return next((s for s in self.statuses if s.status_id == held[0]), None)


class MastodonState:
    """Every account, found by label or token; ``lock`` guards every change."""

    def __init__(self, accounts: Iterable[AccountEntry]) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(FIRST_ID)
        self.accounts: dict[str, AccountState] = {}
        for number, account in enumerate(accounts, start=1):
            parts = links.account_parts(account.name) or (account.label, "mastodon.example")
            self.accounts[account.label] = AccountState(
                account.label,
                str(100_000 + number),
                parts[0],
                parts[1],
                sandbox_credentials(account.label)["access_token"],
            )
        self._by_token = {state.token: state for state in self.accounts.values()}

    def for_token(self, token: str) -> AccountState | None:
        return self._by_token.get(token)

    def next_id(self) -> str:
        with self.lock:
            return str(next(self._ids))
