"""The Facebook Page publisher: what each step of the contract sends.

- ``verify``: ``GET /me`` (the Page the token speaks for), ``GET /{page-id}``
  and, when app id and secret are set, ``GET /debug_token`` for the token's
  type, permissions and expiry [platforms.md 2.5].
- ``upload_media``: no call. The file is checked against Facebook's photo rules
  (JPG/PNG/GIF/TIFF/HEIF/WebP, under 4 MB [platforms.md 2.2]) and the handle is
  its ``file://`` URI (alt text in its query: it survives a restart), each
  photo's alt text sent as ``alt_text_custom`` [platforms-2026.md 4.2].
- ``create_post``: text or link -> ``POST /{page-id}/feed`` (``message``,
  ``link``); one image -> ``POST /{page-id}/photos`` (multipart ``source`` and
  ``message``); several -> each ``POST /{page-id}/photos`` with
  ``published=false`` (invisible), then ``POST /{page-id}/feed`` with
  ``attached_media[n]``. Photo posts have no link field: a link is appended to
  their message. ``created_at`` is the clock's time of the answer.
- a video: upload session, transfer, then ``POST /{page-id}/videos`` as the
  create call (:mod:`~scheduler.platforms.facebook.video`);
- ``find_post``: ``GET /{page-id}/published_posts`` in the window [platforms.md 2.7].
- ``delete_post``: ``DELETE /{post-id}`` -> ``{"success": true}``. An unknown id
  answers code 100, subcode 33 (restfb#1469, SpottedBot#30), as does a token that
  may not see it: ``GET /{post-id}`` tells the two apart.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from scheduler.clock import Clock
from scheduler.errors import AuthFailed, ConfigError, PublishError, Rejected
from scheduler.platforms.base import (
    AccountIdentity,
    Credentials,
    MediaFile,
    PublishedPost,
    Publisher,
)
from scheduler.platforms.facebook.links import permalink
from scheduler.platforms.facebook.photos import photo_alt as _alt_of
from scheduler.platforms.facebook.photos import photo_handle
from scheduler.platforms.facebook.photos import photo_path as _path_of
from scheduler.platforms.facebook.settings import FacebookSettings
from scheduler.platforms.facebook.translate import translate
from scheduler.platforms.facebook.transport import GRAPH_URL, graph_client, protect, redact
from scheduler.platforms.facebook.video import PageVideos, is_video_handle
from scheduler.platforms.profile import AccountEntry

WRITE_SCOPES = ("pages_manage_posts", "pages_read_engagement")  # [platforms.md 2.1]


def normalise(text: str) -> str:
    """NFC, whitespace collapsed, trimmed: how post texts are compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class FacebookPublisher(Publisher):
    """Publishes to the Page ``account.page_id`` with ``credentials["page_access_token"]``.

    ``credentials`` may also hold ``app_id`` and ``app_secret``; then ``verify``
    checks the token's permissions and expiry. ``settings`` gives the Graph API
    version, base URL and per-call timeout (seconds); ``clock`` gives campaign
    time for rate-limit reset times. Failures are translated as
    :mod:`~scheduler.platforms.facebook.translate` describes.

    :raises ConfigError: the account has no ``page_id``.
    """

    platform = "facebook"

    def __init__(
        self,
        account: AccountEntry,
        settings: FacebookSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> None:
        super().__init__(account.label)
        if not account.page_id:
            raise ConfigError("a facebook account needs page_id", where=f"account {account.label}")
        self.page_id = account.page_id
        self.settings = settings
        self.clock = clock
        self._credentials = credentials
        self._token = credentials.get("page_access_token")
        protect(credentials)
        self.graph, self._transport, self._session = graph_client(settings, self._token)
        self.clock_skew = self._transport.skew

    def __repr__(self) -> str:
        return (
            f"FacebookPublisher(account={self.account_label!r}, page_id={self.page_id!r}, "
            f"version={self.settings.api_version!r})"
        )

    def close(self) -> None:
        self._session.close()

    def _require_token(self) -> str:
        if not self._token:
            raise AuthFailed(
                f"{self.account_label}: no Page access token; set the environment variable that "
                "config.yaml names under credentials.page_access_token"
            )
        return self._token

    def _verify(self) -> AccountIdentity:
        token = self._require_token()
        me = self.graph.get_object("me", fields="id,name")
        page = self.graph.get_object(self.page_id, fields="id,name,link")
        problems: list[str] = []
        if str(me.get("id")) != self.page_id:
            problems.append(
                f"the token speaks for {me.get('name')!r} ({me.get('id')}), not the Page "
                f"{self.page_id}: use that Page's access token"
            )
        expires_at = None
        app_id, app_secret = self._credentials.get("app_id"), self._credentials.get("app_secret")
        if app_id and app_secret:
            info = self.graph.debug_access_token(token, app_id, app_secret).get("data", {})
            if not info.get("is_valid"):
                error = info.get("error") or {}
                raise AuthFailed(
                    f"{self.account_label}: the Page token is not valid: {error.get('message')}",
                    platform_code=str(error["code"]) if error.get("code") else None,
                )
            if info.get("type", "PAGE") != "PAGE":
                problems.append(f"this is a {info.get('type')} token, not a Page token")
            missing = [scope for scope in WRITE_SCOPES if scope not in info.get("scopes", [])]
            if missing:
                word = "permission" if len(missing) == 1 else "permissions"
                problems.append(f"the token lacks the {word} {', '.join(missing)}")
            if info.get("expires_at"):
                expires_at = datetime.fromtimestamp(int(info["expires_at"]), UTC)
            notes = problems
        else:
            notes = [*problems, "permissions not checked (set app_id and app_secret to check them)"]
        return AccountIdentity(
            account_id=str(page.get("id", self.page_id)),
            name=str(page.get("name", "")),
            can_write=not problems,
            token_expires_at=expires_at,
            detail="; ".join(notes),
        )

    def _upload_media(self, media: MediaFile) -> str:
        if media.mime_type.startswith("video/"):
            return self._videos().upload(media)
        return photo_handle(media)

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        self._require_token()
        message = f"{text}\n{link}" if link and link not in text else text
        if media_ids and is_video_handle(media_ids[0]):
            post_id, url = self._videos().create(media_ids[0], message)
            return PublishedPost(post_id, url or permalink(post_id), self.clock.now(), message)
        paths, alts = [_path_of(handle) for handle in media_ids], [_alt_of(h) for h in media_ids]
        if not paths:
            fields = {"message": text, **({"link": link} if link else {})}
            post_id = str(self.graph.put_object(self.page_id, "feed", **fields)["id"])
            return PublishedPost(post_id, permalink(post_id), self.clock.now(), text)
        if len(paths) == 1:
            with paths[0].open("rb") as image:
                result = self.graph.put_photo(
                    image, album_path=f"{self.page_id}/photos", message=message, **alts[0]
                )
            post_id = str(result.get("post_id") or f"{self.page_id}_{result['id']}")
            return PublishedPost(post_id, permalink(post_id), self.clock.now(), message)
        attached = {
            f"attached_media[{index}]": json.dumps({"media_fbid": photo_id})
            for index, photo_id in enumerate(self._unpublished_photos(paths, alts))
        }
        result = self.graph.put_object(self.page_id, "feed", message=message, **attached)
        post_id = str(result["id"])
        return PublishedPost(post_id, permalink(post_id), self.clock.now(), message)

    def _videos(self) -> PageVideos:
        """Page videos (:mod:`~scheduler.platforms.facebook.video`) with this token."""
        base, token = GRAPH_URL + self.settings.api_version, self._require_token()
        app, timeout = self._credentials.get("app_id"), self.settings.request_timeout_s
        return PageVideos(
            self.graph, self._session, base, self.page_id, token, app, self.clock, timeout
        )

    def _unpublished_photos(self, paths: list[Path], alts: list[dict[str, str]]) -> Iterator[str]:
        """Upload each photo unpublished: invisible, so a failure here changes nothing."""
        for path, alt in zip(paths, alts, strict=True):
            try:
                with path.open("rb") as image:
                    result = self.graph.put_photo(
                        image, album_path=f"{self.page_id}/photos", published="false", **alt
                    )
            except PublishError:
                raise
            except Exception as error:
                raise self._translate(error, "upload_media", creates=False) from None
            yield str(result["id"])

    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        self._require_token()
        wanted = normalise(text)
        earliest = since.replace(microsecond=0)  # Graph times have whole seconds
        items = self.graph.get_all_connections(
            self.page_id,
            "published_posts",
            fields="id,message,created_time,permalink_url",
            limit=100,
            since=int(earliest.timestamp()),
            until=int(until.timestamp()) + 1,
        )
        for item in items:
            created = _graph_time(item.get("created_time"))
            if created is not None and not earliest <= created <= until:
                continue
            message = str(item.get("message", ""))
            if _same_post(wanted, message):
                post_id = str(item["id"])
                url = str(item.get("permalink_url") or permalink(post_id))
                return PublishedPost(post_id, url, created, message)
        return None

    def _delete_post(self, platform_post_id: str) -> bool:
        self._require_token()
        try:
            answer = self.graph.delete_object(platform_post_id)
        except Exception as error:
            if not _object_missing(error):
                raise
            try:
                self.graph.get_object(platform_post_id, fields="id")
            except Exception as lookup:
                if _object_missing(lookup):
                    return False  # not there: gone
                raise
            raise AuthFailed(
                f"the Page token of {self.account_label} may not delete post {platform_post_id}, "
                "which is still there; it needs pages_manage_posts on the Page"
            ) from None
        if isinstance(answer, dict) and answer.get("success") is False:
            raise Rejected("Facebook did not delete the post", platform_message=str(answer))
        return True

    def _translate(self, error: Exception, operation: str, creates: bool) -> PublishError:
        return translate(
            error,
            where=f"{self.account_label} {operation}",
            creates=creates,
            response=self._transport.last_response(),
            now=self.clock.now(),
            timeout_s=self.settings.request_timeout_s,
            redact=redact,
        )


def _object_missing(error: Exception) -> bool:
    """A Graph error saying no object with that id can be loaded (code 100, subcode 33)."""
    result = getattr(error, "result", None)
    details = result.get("error", {}) if isinstance(result, dict) else {}
    return isinstance(details, dict) and (details.get("code"), details.get("error_subcode")) == (
        100,
        33,
    )


def _same_post(wanted: str, message: str) -> bool:
    """``message`` is ``wanted`` once normalised, or ``wanted`` plus the link that
    photo posts append."""
    found = normalise(message)
    if found == wanted:
        return True
    rest = found[len(wanted) :].strip() if found.startswith(wanted) else ""
    return bool(rest) and " " not in rest and rest.startswith(("http://", "https://"))


def _graph_time(value: object) -> datetime | None:
    """A Graph timestamp (``2021-07-09T19:09:52+0000``) as aware UTC, or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return None
