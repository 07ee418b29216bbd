"""The Bluesky publisher: the atproto SDK's ``Client`` against the account's PDS.

A post is one ``app.bsky.feed.post`` record (:mod:`~scheduler.platforms.bluesky.records`)
created with ``com.atproto.repo.createRecord`` under a record key derived from
the publication, so the create is never sent twice for one publication and an
unknown outcome is settled by ``com.atproto.repo.getRecord`` on that key (the
author feed lags, and a second create on the key answers 500, not the record
[platforms-2026.md 5.2]). Links, hashtags and mentions become facets
(:mod:`~scheduler.platforms.bluesky.facets`); images are blobs uploaded first
and embedded with their alt text (``app.bsky.embed.images``, at most 4); a post
with a link and no image carries a link card (``app.bsky.embed.external``)
built from what the product knows of the link, never fetched at publish time.

The session (:mod:`~scheduler.platforms.bluesky.session`) is opened with the
app password once and refreshed; an ``ExpiredToken`` answer renews it and sends
the call again, which is safe for the create too: the PDS checks the token
before it writes anything.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from atproto import Client
from atproto_client.exceptions import AtProtocolError, BadRequestError, UnauthorizedError
from atproto_client.request import Request

from scheduler.clock import Clock
from scheduler.errors import PublishError, Rejected
from scheduler.platforms.base import (
    AccountIdentity,
    Credentials,
    MediaFile,
    PostRequest,
    PublishedPost,
    Publisher,
)
from scheduler.platforms.bluesky.errors import error_of, translate_bluesky_error
from scheduler.platforms.bluesky.facets import build_facets
from scheduler.platforms.bluesky.links import POST_COLLECTION, at_uri, post_url, split_at_uri
from scheduler.platforms.bluesky.records import embed_for, pixels, post_record, record_key
from scheduler.platforms.bluesky.records import parse_time as parse_created_at
from scheduler.platforms.bluesky.session import BlueskySession
from scheduler.platforms.bluesky.settings import BlueskySettings
from scheduler.platforms.bluesky.video import VideoUploader, video_embed
from scheduler.platforms.profile import AccountEntry

T = TypeVar("T")
JSON = "application/json"
MAX_FEED_PAGES = 5  # pages of 100 read back when a post has no record key to look up


def compose_text(text: str, link: str | None) -> str:
    """The text sent: ``link`` on its own line unless the text already has it."""
    if link and link not in text:
        return f"{text}\n{link}"
    return text


def normalise(text: str) -> str:
    """Text as compared when looking for a post: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class BlueskyPublisher(Publisher):
    """Publishes to one Bluesky account (``credentials``: ``handle``, ``app_password``)."""

    platform = "bluesky"

    def __init__(
        self,
        account: AccountEntry,
        settings: BlueskySettings,
        credentials: Credentials,
        clock: Clock,
    ) -> None:
        super().__init__(account.label)
        self._clock = clock
        self._client = Client(
            base_url=settings.api_base_url,
            request=Request(timeout=settings.request_timeout_s, trust_env=False),
        )
        self._session = BlueskySession(
            self._client,
            account.label,
            credentials["handle"],
            credentials["app_password"],
            credentials.keeper,
            clock,
            timedelta(seconds=settings.session_refresh_margin_s),
        )
        self._video = VideoUploader(settings, clock)
        self._dids: dict[str, str | None] = {}
        self._dids_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BlueskyPublisher({self.account_label!r})"

    # -- the steps --------------------------------------------------------------------

    def _verify(self) -> AccountIdentity:
        did = self._session.ensure()
        handle = self._session.handle or self._authed(self._describe_repo)
        return AccountIdentity(
            account_id=did,
            name=handle or did,
            username=handle,
            can_write=True,  # an app password session may write records
            detail="app password session",
        )

    def _describe_repo(self) -> str | None:
        answer = self._client.com.atproto.repo.describe_repo(params={"repo": self._session.did})
        return str(answer.handle)

    def _upload_media(self, media: MediaFile) -> str:
        did = self._session.ensure()
        if media.mime_type.startswith("video/"):
            auth = self._client.com.atproto.server.get_service_auth
            return self._video.upload(
                media, did, lambda p: str(self._authed(partial(auth, p)).token)
            )
        data = media.path.read_bytes()
        blob = self._procedure("com.atproto.repo.uploadBlob", data, media.mime_type)["blob"]
        image: dict[str, Any] = {
            "image": blob,
            "alt": str(getattr(media, "alt_text", "") or ""),
        }
        size = pixels(data)
        if size is not None:
            image["aspectRatio"] = {"width": size[0], "height": size[1]}
        return json.dumps(image, separators=(",", ":"))

    def _card(self, request: PostRequest) -> tuple[str, str, dict[str, Any] | None] | None:
        """The stored link card with its thumbnail uploaded as a blob (uploadBlob)."""
        card = request.link_card
        if card is None:
            return None
        thumb = None
        if card.thumbnail is not None:
            data = card.thumbnail.path.read_bytes()
            thumb = self._procedure("com.atproto.repo.uploadBlob", data, card.thumbnail.mime_type)
        return card.title, card.description, thumb["blob"] if thumb else None

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        return self._create_post_for(text, media_ids, link, PostRequest())

    def _create_post_for(
        self, text: str, media_ids: Sequence[str], link: str | None, request: PostRequest
    ) -> PublishedPost:
        did = self._session.ensure()
        body = compose_text(text, link)
        now = self._clock.now()
        record = post_record(
            body,
            now,
            facets=build_facets(body, self._resolve),
            langs=(request.language,) if request.language else (),
            embed=video_embed(media_ids)
            or embed_for(media_ids, link, self._card(request) if link and not media_ids else None),
        )
        data: dict[str, Any] = {"repo": did, "collection": POST_COLLECTION, "record": record}
        if request.key is not None:
            data["rkey"] = record_key(request.key)
        body_json = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        uri = str(self._procedure("com.atproto.repo.createRecord", body_json, JSON)["uri"])
        return PublishedPost(uri, post_url(uri), now, body)

    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        return self._find_post_for(text, since, until, PostRequest())

    def _find_post_for(
        self, text: str, since: datetime, until: datetime, request: PostRequest
    ) -> PublishedPost | None:
        did = self._session.ensure()
        if request.key is not None:
            return self._find_by_key(did, record_key(request.key), text)
        return self._find_in_feed(did, text, since, until)

    def _record_at(self, did: str, rkey: str) -> Any | None:
        """``getRecord``'s answer for post ``rkey`` of ``did``; None when there is none."""
        params = {"repo": did, "collection": POST_COLLECTION, "rkey": rkey}
        try:
            return self._authed(lambda: self._client.com.atproto.repo.get_record(params=params))
        except BadRequestError as error:
            if error_of(error)[1] == "RecordNotFound":
                return None
            raise

    def _find_by_key(self, did: str, rkey: str, text: str) -> PublishedPost | None:
        answer = self._record_at(did, rkey)
        if answer is None:
            return None
        value = answer.value
        stored = str(getattr(value, "text", None) or (value or {}).get("text", ""))
        if normalise(stored) != normalise(text) and not normalise(stored).startswith(
            normalise(text)
        ):
            return None  # the key holds another text: not this publication's post
        uri = str(answer.uri)
        return PublishedPost(uri, post_url(uri), None, stored)

    def _find_in_feed(
        self, did: str, text: str, since: datetime, until: datetime
    ) -> PublishedPost | None:
        wanted = normalise(text)
        cursor: str | None = None
        for _ in range(MAX_FEED_PAGES):
            params: dict[str, Any] = {"actor": did, "limit": 100, "filter": "posts_no_replies"}
            if cursor:
                params["cursor"] = cursor
            page = self._authed(partial(self._client.app.bsky.feed.get_author_feed, params))
            for item in page.feed:
                post = item.post
                record_text = str(getattr(post.record, "text", ""))
                if normalise(record_text).startswith(wanted):
                    created = parse_created_at(getattr(post.record, "created_at", None))
                    if created is None or since <= created <= until:
                        return PublishedPost(post.uri, post_url(post.uri), created, record_text)
            cursor = page.cursor
            if not cursor:
                return None
        return None

    def _delete_post(self, platform_post_id: str) -> bool:
        parts = split_at_uri(platform_post_id)
        did = self._session.ensure()
        if parts is None or parts[0] not in (did, self._session.handle):
            raise Rejected(f"{platform_post_id} is not a post of {self.account_label}")
        rkey = parts[1]
        if self._record_at(did, rkey) is None:
            return False
        data = {"repo": did, "collection": POST_COLLECTION, "rkey": rkey}
        self._authed(lambda: self._client.com.atproto.repo.delete_record(data))
        return True

    def _translate(self, error: Exception, operation: str, creates: bool) -> PublishError:
        return translate_bluesky_error(error, operation, creates, self._clock)

    def close(self) -> None:
        self._client.request.close()
        self._video.close()

    # -- helpers ------------------------------------------------------------------------

    def _authed(self, call: Callable[[], T]) -> T:
        """``call``, sent again once after renewing an expired access token."""
        try:
            return call()
        except (BadRequestError, UnauthorizedError) as error:
            if error_of(error)[1] != "ExpiredToken":
                raise
        self._session.expired()
        return call()

    def _procedure(self, nsid: str, content: bytes, content_type: str) -> dict[str, Any]:
        """The JSON answer of procedure ``nsid`` sent ``content`` as it is, through the
        client's transport and error handling, without building the SDK's models (the
        body is built and checked here; this is the publishing hot path)."""
        response = self._authed(
            partial(
                self._client.invoke_procedure,
                nsid,
                content=content,
                headers={"Content-Type": content_type},
            )
        )
        answer = response.content
        if not isinstance(answer, dict):  # translated: unknown outcome on the create
            raise ValueError(f"Bluesky answered {nsid} with something that is not JSON")
        return answer

    def _resolve(self, handle: str) -> str | None:
        """The DID of ``handle`` (cached), None when it does not resolve."""
        with self._dids_lock:
            if handle in self._dids:
                return self._dids[handle]
        try:
            did: str | None = str(
                self._client.com.atproto.identity.resolve_handle(params={"handle": handle}).did
            )
        except BadRequestError:
            did = None
        except AtProtocolError:
            return None  # not cached: the next post tries again
        with self._dids_lock:
            self._dids[handle] = did
        return did


__all__ = ["BlueskyPublisher", "at_uri", "compose_text", "normalise"]
