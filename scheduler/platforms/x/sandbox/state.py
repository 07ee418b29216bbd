"""What the X stand-in knows: accounts, posts, media, and how X rewrites text.

Accounts are the campaign's X accounts, with the credentials of
:func:`~scheduler.platforms.x.sandbox.credentials.sandbox_credentials`. Ids are snowflakes
made from the injectable clock, as X's are (creation time in the high bits), so
they sort by time and ``since_id``/``until_id`` work.

Stored text is what X shows: every link (bare domains too, as twitter-text
finds them) becomes ``https://t.co/<10 chars>``, ``&``, ``<`` and ``>`` become
HTML entities, and attached media add one trailing ``t.co`` link
[platforms.md 1.1, 1.7].
"""

from __future__ import annotations

import hashlib
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from twitter_text import extract_urls_with_indices

from scheduler.clock import Clock
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.x.sandbox.credentials import sandbox_credentials, x_user_id

SNOWFLAKE_EPOCH_MS = 1288834974657
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass
class XAccount:
    """A sandbox X account. ``access_level`` is what ``x-access-level`` reports;
    set it to ``read`` to see how the product copes with a read-only app."""

    label: str
    user_id: str
    name: str
    username: str
    credentials: dict[str, str]
    access_level: str = "read-write"

    @property
    def can_write(self) -> bool:
        return "write" in self.access_level


@dataclass
class XPost:
    """A stored post. ``text`` is as X shows it; ``submitted`` as it was sent.
    ``created_at`` is campaign time (aware UTC); ``received_wall`` the wall
    clock (epoch seconds) when the request arrived, for lateness measurements."""

    id: str
    account: str
    text: str
    submitted: str
    created_at: datetime
    received_wall: float
    media_ids: tuple[str, ...] = ()
    deleted: bool = False


@dataclass
class XMedia:
    """An upload. ``kind`` is image, gif or video; ``state`` is uploading, pending,
    in_progress, succeeded or failed. ``chunks`` holds an image's segments until
    finalize; a video keeps only its first bytes (``head``), its running ``size``
    and SHA-256 (``digest``), never its bytes. ``alt_text`` is set by
    ``POST /2/media/metadata``."""

    id: str
    owner: str
    kind: str
    mime_type: str
    category: str
    total_bytes: int
    created_at: datetime
    expires_at: datetime
    state: str = "uploading"
    chunks: dict[int, bytes] = field(default_factory=dict)
    size: int = 0
    width: int = 0
    height: int = 0
    fail_processing: bool = False
    polls: int = 0
    head: bytes = b""
    digest: Any = None
    next_segment: int = 0
    alt_text: str = ""

    @property
    def media_key(self) -> str:
        prefix = {"image": "3", "gif": "16", "video": "7"}[self.kind]
        return f"{prefix}_{self.id}"


def t_co(url: str, salt: str) -> str:
    """A stable ``t.co`` short link for ``url`` in the post ``salt``."""
    digest = int(hashlib.sha256(f"{salt}\n{url}".encode()).hexdigest()[:16], 16)
    code = ""
    for _ in range(10):
        digest, index = divmod(digest, len(_ALPHABET))
        code += _ALPHABET[index]
    return f"https://t.co/{code}"


def render_text(text: str, post_id: str, has_media: bool) -> str:
    """``text`` as X stores and returns it (module docstring)."""
    parts: list[str] = []
    position = 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        parts.append(text[position:start].translate(_ESCAPES))
        parts.append(t_co(found["url"], post_id))
        position = end
    parts.append(text[position:].translate(_ESCAPES))
    rendered = "".join(parts)
    if has_media:
        media_link = t_co("media", post_id)
        rendered = f"{rendered} {media_link}" if rendered else media_link
    return rendered


def same_text_key(text: str) -> str:
    """What X's duplicate check compares: the text, NFC-normalised and trimmed."""
    return unicodedata.normalize("NFC", text).strip()


class XState:
    """Accounts, posts and media of the X stand-in. Guard mutations with ``lock``."""

    def __init__(self, accounts: Iterable[AccountEntry], clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.accounts: dict[str, XAccount] = {}
        for account in accounts:
            if account.platform != "x":
                continue
            username = account.name[1:] if account.name.startswith("@") else account.label
            self.accounts[account.label] = XAccount(
                label=account.label,
                user_id=x_user_id(account.label),
                name=account.name.lstrip("@"),
                username=username,
                credentials=sandbox_credentials(account.label),
            )
        self.posts: dict[str, list[XPost]] = {label: [] for label in self.accounts}
        self.media: dict[str, XMedia] = {}
        self._last_id = 0
        # Indexes, so a create costs the same with 10 or 100,000 stored posts.
        self._by_id: dict[str, XPost] = {}
        self._by_text: dict[tuple[str, str], XPost] = {}

    def by_user_id(self, user_id: str) -> XAccount | None:
        return next((a for a in self.accounts.values() if a.user_id == user_id), None)

    def by_token(self, consumer_key: str, token: str) -> XAccount | None:
        for account in self.accounts.values():
            values = account.credentials
            if values["api_key"] == consumer_key and values["access_token"] == token:
                return account
        return None

    def by_bearer(self, token: str) -> XAccount | None:
        return next(
            (a for a in self.accounts.values() if a.credentials["bearer_token"] == token), None
        )

    def next_id(self) -> str:
        """A new snowflake id from the clock; strictly increasing."""
        with self.lock:
            millis = int(self.clock.now().timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
            candidate = max(millis, 0) << 22
            self._last_id = max(candidate, self._last_id + 1)
            return str(self._last_id)

    def add_post(self, account: XAccount, submitted: str, media_ids: tuple[str, ...]) -> XPost:
        with self.lock:
            post_id = self.next_id()
            post = XPost(
                id=post_id,
                account=account.label,
                text=render_text(submitted, post_id, bool(media_ids)),
                submitted=submitted,
                created_at=self.clock.now(),
                received_wall=time.time(),
                media_ids=media_ids,
            )
            self.posts[account.label].append(post)
            self._by_id[post_id] = post
            if submitted:
                self._by_text[(account.label, same_text_key(submitted))] = post
            return post

    def find_post(self, post_id: str) -> XPost | None:
        """The live post with ``post_id``, or None."""
        with self.lock:
            post = self._by_id.get(post_id)
            return post if post is not None and not post.deleted else None

    def latest_with_text(self, label: str, text: str) -> XPost | None:
        """The newest live post of ``label`` whose text is ``text`` (NFC, trimmed), or None."""
        with self.lock:
            post = self._by_text.get((label, same_text_key(text)))
            return post if post is not None and not post.deleted else None

    def delete(self, post: XPost) -> None:
        with self.lock:
            post.deleted = True
            key = (post.account, same_text_key(post.submitted))
            if self._by_text.get(key) is post:
                del self._by_text[key]

    def live_posts(self, label: str) -> list[XPost]:
        """The account's posts that are not deleted, newest first."""
        with self.lock:
            return [post for post in reversed(self.posts[label]) if not post.deleted]
