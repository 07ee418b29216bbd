"""An in-memory publisher for dry runs and fast tests.

It implements the same contract as the real adapters, keeps what was posted
in a shared :class:`MemoryPlatform`, and can be told to fail the next calls
(``platform.fail_next``), including the "applied but we did not hear back" case
that reconciliation exists for.
"""

from __future__ import annotations

import itertools
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.clock import Clock, SystemClock
from scheduler.errors import DuplicateContent, PublishError, TransientError
from scheduler.platforms.base import AccountIdentity, MediaFile, PublishedPost, Publisher


@dataclass
class ScriptedFault:
    """Raise ``error()`` on the next ``operation`` call of ``account_label``
    (any account when None). With ``applied=True`` on ``create_post`` the post
    is stored first, then the error is raised.
    """

    operation: str
    error: Callable[[], PublishError]
    account_label: str | None = None
    applied: bool = False


@dataclass
class MemoryPlatform:
    """What every MemoryPublisher of one test posted, by account label."""

    clock: Clock = field(default_factory=SystemClock)
    posts: dict[str, list[PublishedPost]] = field(default_factory=dict)
    media: dict[str, MediaFile] = field(default_factory=dict)
    faults: list[ScriptedFault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def fail_next(
        self,
        operation: str,
        error: Callable[[], PublishError],
        *,
        account_label: str | None = None,
        applied: bool = False,
    ) -> None:
        """Script a failure; faults fire in the order they were added."""
        with self._lock:
            self.faults.append(ScriptedFault(operation, error, account_label, applied))

    def take_fault(self, operation: str, account_label: str) -> ScriptedFault | None:
        with self._lock:
            self.calls.append((operation, account_label))
            for index, fault in enumerate(self.faults):
                if fault.operation == operation and fault.account_label in (None, account_label):
                    return self.faults.pop(index)
        return None

    def next_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def count(self, account_label: str | None = None) -> int:
        """Posts stored for ``account_label`` (all accounts when None)."""
        with self._lock:
            if account_label is None:
                return sum(len(items) for items in self.posts.values())
            return len(self.posts.get(account_label, []))


def normalise(text: str) -> str:
    """NFC with collapsed whitespace: how the memory platform compares texts."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class MemoryPublisher(Publisher):
    """A publisher whose platform is a :class:`MemoryPlatform`."""

    platform = "memory"

    def __init__(self, account_label: str, platform: MemoryPlatform) -> None:
        super().__init__(account_label)
        self.store = platform

    def _fault(self, operation: str) -> ScriptedFault | None:
        fault = self.store.take_fault(operation, self.account_label)
        if fault is not None and not fault.applied:
            raise fault.error()
        return fault

    def _verify(self) -> AccountIdentity:
        self._fault("verify")
        return AccountIdentity(account_id=self.account_label, name=self.account_label)

    def _upload_media(self, media: MediaFile) -> str:
        self._fault("upload_media")
        media_id = self.store.next_id()
        self.store.media[media_id] = media
        return media_id

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        fault = self._fault("create_post")
        for media_id in media_ids:
            if media_id not in self.store.media:
                raise TransientError(f"unknown media id {media_id}")
        full_text = f"{text}\n{link}" if link and link not in text else text
        existing = self.store.posts.setdefault(self.account_label, [])
        if any(normalise(post.text) == normalise(full_text) for post in existing):
            raise DuplicateContent("duplicate content")
        post_id = self.store.next_id()
        post = PublishedPost(
            platform_post_id=post_id,
            url=f"memory://{self.account_label}/{post_id}",
            created_at=self.store.clock.now(),
            text=full_text,
        )
        existing.append(post)
        if fault is not None:  # applied, but the answer is lost
            raise fault.error()
        return post

    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        self._fault("find_post")
        wanted = normalise(text)
        for post in reversed(self.store.posts.get(self.account_label, [])):
            created = post.created_at
            if created is not None and not since <= created <= until:
                continue
            if wanted in normalise(post.text):
                return post
        return None

    def _delete_post(self, platform_post_id: str) -> bool:
        fault = self._fault("delete_post")
        posts = self.store.posts.get(self.account_label, [])
        kept = [post for post in posts if post.platform_post_id != platform_post_id]
        with self.store._lock:
            self.store.posts[self.account_label] = kept
        if fault is not None:  # applied, but the answer is lost
            raise fault.error()
        return len(kept) != len(posts)

    def _translate(self, error: Exception, operation: str, creates: bool) -> PublishError:
        return TransientError(f"{operation}: {error}")
