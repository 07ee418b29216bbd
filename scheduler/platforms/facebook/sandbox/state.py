"""What the Graph stand-in knows: Pages, their tokens, posts and photos.

One :class:`PageState` per Facebook account of the campaign file; its Page
access token is the one :func:`~scheduler.platforms.facebook.sandbox.credentials.sandbox_credentials`
gives, with the scopes a publishing Page token has [platforms.md 2.1].
Tests change ``scopes``, ``token_expires_at`` or ``token_invalidated`` to
see how the product copes with a token that lost its rights.
"""

from __future__ import annotations

import itertools
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scheduler.platforms.facebook.sandbox.credentials import APP_ID, APP_SECRET, sandbox_credentials
from scheduler.platforms.facebook.sandbox.media import ImageInfo
from scheduler.platforms.profile import AccountEntry

PUBLISHING_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_posts")
APP_NAME = "Campaign Sandbox"
# The fields a post read returns when ``fields`` is not given [platforms.md 2.7].
DEFAULT_POST_FIELDS = ("created_time", "message", "id")


def graph_time(instant: datetime) -> str:
    """Graph API timestamp format: ``2021-07-09T19:09:52+0000`` [platforms.md 2.7]."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S+0000")


def same_text(first: str, second: str) -> bool:
    """Facebook's duplicate test as the stand-in applies it: NFC, whitespace collapsed."""

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return norm(first) == norm(second)


@dataclass(frozen=True)
class StoredPhoto:
    """An uploaded photo; unpublished ones wait to be attached to a feed post."""

    photo_id: str
    page_id: str
    published: bool
    image: ImageInfo
    created_time: datetime
    alt_text_custom: str = ""


@dataclass(frozen=True)
class StoredPost:
    """A Page post. ``post_id`` is ``{page-id}_{post-number}``; times are aware UTC."""

    post_id: str
    page_id: str
    message: str
    link: str | None
    created_time: datetime
    photo_ids: tuple[str, ...] = ()
    status_type: str = "mobile_status_update"

    @property
    def permalink_url(self) -> str:
        return f"https://www.facebook.com/{self.page_id}/posts/{self.post_id.split('_', 1)[1]}"

    def as_graph(self, fields: list[str]) -> dict[str, object]:
        """The post as the read endpoints return it, limited to ``fields``."""
        values: dict[str, object] = {
            "id": self.post_id,
            "created_time": graph_time(self.created_time),
            "permalink_url": self.permalink_url,
            "status_type": self.status_type,
        }
        if self.message:
            values["message"] = self.message
        if self.photo_ids or self.link:
            values["attachments"] = {"data": self._attachments()}
        return {name: values[name] for name in fields if name in values}

    def _attachments(self) -> list[dict[str, object]]:
        if self.photo_ids:
            return [
                {"type": "photo", "target": {"id": photo_id}, "media_type": "photo"}
                for photo_id in self.photo_ids
            ]
        return [{"type": "share", "url": self.link, "media_type": "link"}]


@dataclass
class PageState:
    """One Page and its Page access token."""

    page_id: str
    label: str
    name: str
    access_token: str
    scopes: list[str] = field(default_factory=lambda: list(PUBLISHING_SCOPES))
    token_expires_at: datetime | None = None
    token_invalidated: bool = False
    posts: list[StoredPost] = field(default_factory=list)  # oldest first
    photos: dict[str, StoredPhoto] = field(default_factory=dict)

    @property
    def link(self) -> str:
        return f"https://www.facebook.com/{self.page_id}"


@dataclass
class UploadSession:
    """A resumable upload session: the announced ``length``, how far the bytes got
    (``offset``), their SHA-256 so far (``digest``, never the bytes), the handle
    once complete."""

    session_id: str
    length: int
    file_type: str
    offset: int = 0
    digest: Any = None
    handle: str | None = None


@dataclass
class StoredVideo:
    """A Page video: ``status`` processing, ready or error; its feed post's id
    (``post_id``, not the video's id) once ready; ``polls_left`` status reads
    before processing ends."""

    video_id: str
    page_id: str
    description: str
    title: str
    size_bytes: int
    sha256: str
    polls_left: int
    fail: bool = False
    status: str = "processing"
    post_id: str | None = None


class GraphState:
    """Every Page of the campaign file, found by id, label or token; thread-safe."""

    def __init__(self, accounts: Iterable[AccountEntry]) -> None:
        self.lock = threading.RLock()
        self.pages: dict[str, PageState] = {}
        self._by_label: dict[str, PageState] = {}
        self._by_token: dict[str, PageState] = {}
        self._numbers = itertools.count(10_158_000_000_000_001)
        self.app_id, self.app_secret = APP_ID, APP_SECRET
        self.uploads: dict[str, UploadSession] = {}
        self.videos: dict[str, StoredVideo] = {}
        for account in accounts:
            if account.platform != "facebook" or account.page_id is None:
                continue
            values = sandbox_credentials(account.label)
            page = PageState(
                page_id=account.page_id,
                label=account.label,
                name=account.name,
                access_token=values["page_access_token"],
            )
            self.pages[page.page_id] = page
            self._by_label[page.label] = page
            self._by_token[page.access_token] = page

    def page(self, key: str) -> PageState | None:
        """The Page with this id or account label."""
        return self.pages.get(key) or self._by_label.get(key)

    def page_for_token(self, token: str) -> PageState | None:
        return self._by_token.get(token)

    def is_app_token(self, token: str) -> bool:
        """``{app-id}|{app-secret}``, the app token debug_token wants [platforms.md 0.2]."""
        return token == f"{self.app_id}|{self.app_secret}"

    def next_number(self) -> str:
        with self.lock:
            return str(next(self._numbers))

    def add_photo(
        self, page: PageState, image: ImageInfo, published: bool, now: datetime, alt: str = ""
    ) -> StoredPhoto:
        """Store an uploaded photo with its ``alt_text_custom`` (empty: none)."""
        photo = StoredPhoto(self.next_number(), page.page_id, published, image, now, alt)
        with self.lock:
            page.photos[photo.photo_id] = photo
        return photo

    def add_post(
        self,
        page: PageState,
        message: str,
        link: str | None,
        now: datetime,
        photo_ids: tuple[str, ...] = (),
        video: bool = False,
    ) -> StoredPost:
        status = "added_photos" if photo_ids else ("shared_story" if link else None)
        status = "added_video" if video else status
        post = StoredPost(
            post_id=f"{page.page_id}_{self.next_number()}",
            page_id=page.page_id,
            message=message,
            link=link,
            created_time=now.replace(microsecond=0),
            photo_ids=photo_ids,
            status_type=status or "mobile_status_update",
        )
        with self.lock:
            page.posts.append(post)
        return post
