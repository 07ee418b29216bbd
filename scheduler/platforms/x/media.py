"""X API v2 media upload on top of tweepy's own session and OAuth 1.0a auth.

tweepy 4.17 has no v2 media upload and the v1.1 endpoints it knows were
retired in 2025 [platforms.md 0.1, 1.6]. This module speaks the v2 endpoints
through the same ``requests`` session the tweepy client uses (so the same
transport adapter, base URL and timeout apply):

- images: one ``POST /2/media/upload`` (multipart: ``media`` bytes plus
  ``media_category=tweet_image``);
- GIF and video: ``POST /2/media/upload/initialize`` (JSON), then
  ``POST /2/media/upload/{id}/append`` per chunk (multipart ``media`` +
  ``segment_index``), then ``POST /2/media/upload/{id}/finalize``; when the
  answer carries ``processing_info``, poll ``GET /2/media/upload?command=STATUS``
  every ``check_after_secs`` until ``succeeded`` or ``failed``. The file is
  read one chunk at a time, so a 500 MB video never sits in memory;
- alt text: ``POST /2/media/metadata`` with ``{"id", "metadata": {"alt_text":
  {"text"}}}`` once the image is uploaded (at most 1,000 characters; billed as
  "Media Metadata"; X takes alt text on images only) [platforms-2026.md 1.1, 3].

HTTP errors are raised as tweepy's own exception classes (exactly as tweepy's
``BaseClient.request`` maps statuses), so one translation covers the client
and the media calls.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
import tweepy
from requests.auth import AuthBase

from scheduler.clock import Clock
from scheduler.errors import Rejected, TransientError
from scheduler.platforms.base import MediaFile

logger = logging.getLogger(__name__)

# The reference client (node-twitter-api-v2 uploadMedia) appends 1 MB chunks [platforms.md 1.6].
CHUNK_BYTES = 1024 * 1024
# How long processing may take before the upload is given up as transient (campaign seconds).
MAX_PROCESSING_S = 600.0
MAX_STATUS_POLLS = 300
ALT_TEXT_MAX = 1000  # CreateMediaMetadataMetadataAltText.text maxLength [platforms-2026.md 1.1]
SIMPLE_UPLOAD_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/pjpeg"}
)


def raise_for_status(response: requests.Response) -> None:
    """Raise the tweepy exception tweepy itself would raise for this status."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset else None)
    mapping: dict[int, type[tweepy.HTTPException]] = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
    }
    kind = mapping.get(status, tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException)
    raise kind(response)


def media_category(mime_type: str) -> str:
    """The v2 ``media_category`` for a MIME type; raises Rejected for unsupported types."""
    if mime_type in SIMPLE_UPLOAD_TYPES:
        return "tweet_image"
    if mime_type == "image/gif":
        return "tweet_gif"
    if mime_type.startswith("video/"):
        return "tweet_video"
    raise Rejected(f"X cannot attach {mime_type} files")


class XMediaUploader:
    """Uploads media for one account.

    ``session`` is the tweepy client's session (with the base URL adapter
    mounted); ``auth`` signs each request (OAuth 1.0a user context);
    ``api_base`` is the public base URL the adapter rewrites; ``clock`` turns
    ``check_after_secs`` (campaign seconds) into wall seconds to sleep.
    """

    def __init__(
        self,
        session: requests.Session,
        auth: AuthBase,
        api_base: str,
        clock: Clock,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self._session = session
        self._auth = auth
        self._url = api_base.rstrip("/") + "/2/media/upload"
        self._clock = clock
        self._chunk_bytes = chunk_bytes

    def upload(self, media: MediaFile) -> str:
        """Upload ``media`` and wait until X has processed it; returns the media id.

        :raises Rejected: unsupported type, or processing failed.
        :raises TransientError: processing did not finish in time.
        :raises tweepy.HTTPException | requests.RequestException: translated by the caller.
        """
        category = media_category(media.mime_type)
        if category == "tweet_image":
            data = self._post(
                self._url,
                files={"media": (media.path.name, media.path.read_bytes())},
                data={"media_category": category},
            )
        else:
            data = self._chunked(media, category)
        media_id = str(data["id"])
        if "processing_info" in data:
            self._wait_for_processing(media_id, data["processing_info"])
        if media.alt_text and category != "tweet_video":
            self.describe(media_id, media.alt_text)
        return media_id

    def describe(self, media_id: str, alt_text: str) -> None:
        """Attach ``alt_text`` (cut to X's 1,000 characters) to the uploaded image
        ``media_id``: ``POST /2/media/metadata``."""
        self._post(
            self._url.removesuffix("/upload") + "/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": alt_text[:ALT_TEXT_MAX]}}},
        )

    def _chunked(self, media: MediaFile, category: str) -> dict[str, Any]:
        size = media.path.stat().st_size
        started = self._post(
            f"{self._url}/initialize",
            json={"media_type": media.mime_type, "total_bytes": size, "media_category": category},
        )
        media_id = str(started["id"])
        with media.path.open("rb") as file:
            index = 0
            while chunk := file.read(self._chunk_bytes):
                self._post(
                    f"{self._url}/{media_id}/append",
                    files={"media": ("blob", chunk)},
                    data={"segment_index": str(index)},
                )
                index += 1
        return self._post(f"{self._url}/{media_id}/finalize")

    def _wait_for_processing(self, media_id: str, info: dict[str, Any]) -> None:
        waited = 0.0
        for _ in range(MAX_STATUS_POLLS):
            state = info.get("state")
            if state == "succeeded":
                return
            if state == "failed":
                error = info.get("error") or {}
                message = error.get("message") or error.get("name") or "processing failed"
                raise Rejected(
                    f"X could not process media {media_id}: {message}",
                    platform_code=str(error.get("name") or "failed"),
                    platform_message=str(message),
                )
            check_after = max(float(info.get("check_after_secs", 1)), 0.0)
            waited += check_after
            if waited > MAX_PROCESSING_S:
                break
            time.sleep(self._clock.wall_seconds(check_after))
            response = self._session.get(
                self._url, params={"command": "STATUS", "media_id": media_id}, auth=self._auth
            )
            raise_for_status(response)
            info = response.json()["data"].get("processing_info", {"state": "succeeded"})
            logger.debug("X media %s processing: %s", media_id, info.get("state"))
        raise TransientError(f"X is still processing media {media_id}; try again later")

    def _post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self._session.post(url, auth=self._auth, **kwargs)
        raise_for_status(response)
        if not response.content:
            return {}
        data: dict[str, Any] = response.json().get("data") or {}
        return data
