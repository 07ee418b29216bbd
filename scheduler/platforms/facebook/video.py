"""A Page video, the way the reference documents it [platforms-2026.md 4.1]:

1. ``POST /{app-id}/uploads?file_name&file_length&file_type`` opens an upload
   session (``{"id": "upload:<session>"}``);
2. ``POST /upload:<session>`` with ``Authorization: OAuth <token>`` and
   ``file_offset`` sends the bytes (read from disk in one stream) and answers
   ``{"h": <handle>}``; when the transfer breaks, ``GET /upload:<session>``
   says how far it got and the transfer resumes from there (``file_offset``).
   Only this transfer is ever repeated;
3. ``POST /{page-id}/videos`` with ``title``, ``description`` and
   ``fbuploader_video_file_chunk=<handle>`` is the publishing (create) call: it
   answers the video's id only. An unknown outcome there is reconciled, never
   sent again;
4. ``GET /{video-id}?fields=status,post_id,permalink_url`` until
   ``status.video_status`` is no longer ``processing``: ``ready`` gives the feed
   post's id (a video's id is not its post's id); anything else is a refusal
   (Meta's SDK treats anything but ``ready`` as failure).

Steps 1 and 2 are ``upload_media`` (nothing visible changes); the handle it
returns carries the upload handle and the video's title. Steps 3 and 4 are
``create_post``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import facebook
import requests

from scheduler.clock import Clock
from scheduler.errors import Rejected, TransientError, UnknownOutcome
from scheduler.platforms.base import MediaFile

HANDLE_SCHEME = "fbvideo:"
TRANSFER_TRIES = 3  # resumptions of a broken transfer before it counts as transient
MAX_PROCESSING_S = 900.0  # campaign seconds to wait for processing before reconciling
POLL_S = 2.0


def is_video_handle(handle: str) -> bool:
    """Whether an ``upload_media`` handle is a video's."""
    return handle.startswith(HANDLE_SCHEME)


class PageVideos:
    """Uploads and publishes videos of one Page.

    ``graph`` is the publisher's ``facebook.GraphAPI`` (its session and base URL),
    ``session`` the same ``requests`` session for the raw transfer, ``base`` the
    versioned Graph URL (``https://graph.facebook.com/v25.0``), ``token`` the
    Page token, ``app_id`` the app that owns upload sessions.
    """

    def __init__(
        self,
        graph: Any,
        session: requests.Session,
        base: str,
        page_id: str,
        token: str,
        app_id: str | None,
        clock: Clock,
        timeout_s: float,
    ) -> None:
        self.graph, self.session, self.base = graph, session, base.rstrip("/")
        self.page_id, self.token, self.app_id = page_id, token, app_id
        self.clock, self.timeout_s = clock, timeout_s

    def upload(self, media: MediaFile) -> str:
        """Steps 1-2: the bytes sent; returns the handle ``create`` takes.

        :raises Rejected: the account names no ``app_id``.
        :raises TransientError: the transfer kept breaking.
        """
        if not self.app_id:
            raise Rejected(
                "Facebook video uploads go through the app's upload sessions: add app_id to "
                "this account's credentials in config.yaml"
            )
        size = media.path.stat().st_size
        session = self.graph.request(
            f"{self.graph.version}/{self.app_id}/uploads",
            post_args={
                "file_name": media.path.name,
                "file_length": str(size),
                "file_type": media.mime_type,
                "access_token": self.token,
            },
        )["id"]
        handle = self._transfer(str(session), media.path, size)
        return HANDLE_SCHEME + urlencode({"h": handle, "title": media.title})

    def _transfer(self, session: str, path: Path, size: int) -> str:
        offset = 0
        for _ in range(TRANSFER_TRIES):
            try:
                with path.open("rb") as file:
                    file.seek(offset)
                    response = self.session.post(
                        f"{self.base}/{session}",
                        data=file,
                        headers={
                            "Authorization": f"OAuth {self.token}",
                            "file_offset": str(offset),
                            "Content-Type": "application/octet-stream",
                            "Content-Length": str(size - offset),
                        },
                        timeout=max(self.timeout_s, 60.0),
                    )
            except (requests.ConnectionError, requests.Timeout):
                offset = self._offset(session)
                continue
            body = _json(response)
            if response.status_code >= 500:
                offset = self._offset(session)
                continue
            if "error" in body:
                raise facebook.GraphAPIError(body)
            return str(body["h"])
        raise TransientError(f"the video transfer to Facebook broke {TRANSFER_TRIES} times")

    def _offset(self, session: str) -> int:
        """How far a broken transfer got (``GET /upload:<session>``)."""
        answer = self.graph.request(f"{self.graph.version}/{session}")
        return int(answer.get("file_offset", 0))

    def create(self, handle: str, text: str) -> tuple[str, str]:
        """Steps 3-4: publish the uploaded video with ``text`` as its description and
        wait for processing; returns (post id, permalink).

        :raises UnknownOutcome: processing did not end in time (the video exists:
            reconciliation finds its post).
        :raises Rejected: processing failed.
        """
        fields = parse_qs(urlsplit(handle.removeprefix(HANDLE_SCHEME)).path)
        upload = fields.get("h", [""])[0]
        title = fields.get("title", [""])[0]
        created = self.graph.request(
            f"{self.graph.version}/{self.page_id}/videos",
            post_args={
                "description": text,
                "fbuploader_video_file_chunk": upload,
                **({"title": title} if title else {}),
                "access_token": self.token,
            },
        )
        video_id = str(created["id"])
        return self._processed(video_id)

    def _processed(self, video_id: str) -> tuple[str, str]:
        waited = 0.0
        while True:
            video = self.graph.get_object(video_id, fields="status,post_id,permalink_url")
            state = str((video.get("status") or {}).get("video_status", "ready"))
            if state == "ready" and video.get("post_id"):
                post_id = str(video["post_id"])
                if "_" not in post_id:
                    post_id = f"{self.page_id}_{post_id}"
                return post_id, str(video.get("permalink_url") or "")
            if state not in ("processing", "ready"):
                raise Rejected(
                    f"Facebook could not process video {video_id} ({state})",
                    platform_code=state,
                )
            if waited >= MAX_PROCESSING_S:
                raise UnknownOutcome(
                    f"Facebook is still processing video {video_id}; its post is looked for later"
                )
            waited += POLL_S
            time.sleep(self.clock.wall_seconds(POLL_S))


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"error": {"message": f"HTTP {response.status_code}", "code": 1}}
    return body if isinstance(body, dict) else {}
