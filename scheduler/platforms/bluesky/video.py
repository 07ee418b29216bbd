"""A post's video through Bluesky's video service.

The flow [platforms-2026.md 5.5; BDOCS tutorials/video.mdx; lexicons
app.bsky.video.*]:

1. ``com.atproto.server.getServiceAuth`` on the PDS, for ``aud`` the PDS's
   ``did:web`` and ``lxm`` ``com.atproto.repo.uploadBlob`` (the video service
   writes the processed blob to the account's repository with it);
2. ``app.bsky.video.uploadVideo?did=…&name=…`` on the video service with that
   token as bearer and the file's bytes -> ``{jobStatus}``;
3. ``app.bsky.video.getJobStatus?jobId=…`` until ``jobStatus.blob`` is there
   (``JOB_STATE_COMPLETED``) or the job failed (``JOB_STATE_FAILED``, with a
   ``failureCode``); an ``already_exists`` answer still carries the earlier blob.

The poll is ours, every ``video_poll_interval_s`` for at most
``video_processing_timeout_s``, both campaign-clock seconds turned into wall
seconds by the clock, as Mastodon's media polls are
(:mod:`scheduler.platforms.mastodon.media`): in a rehearsal the stand-in's
processing takes the campaign time it would take the service. The timeout also
holds in wall seconds. Only the upload may be sent again; the record is created
once by the publisher with the finished blob in ``app.bsky.embed.video``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from atproto import Client
from atproto_client.exceptions import BadRequestError
from atproto_client.models.dot_dict import DotDict
from atproto_client.request import Request

from scheduler.clock import Clock
from scheduler.errors import Rejected, TransientError
from scheduler.platforms.base import MediaFile
from scheduler.platforms.bluesky.settings import BlueskySettings

UPLOAD_LXM = "com.atproto.repo.uploadBlob"
SERVICE_TOKEN_S = 1800  # the token must outlive a slow upload; the default is 60 s [5.5]
VIDEO_MARK = "app.bsky.embed.video"  # the publisher's media id of a processed video


def service_audience(api_base_url: str) -> str:
    """``did:web:<PDS host>``, the audience of the video service's token [5.5]."""
    host = urlsplit(api_base_url).netloc or api_base_url
    return f"did:web:{host}"


def video_embed(media_ids: Sequence[str]) -> dict[str, Any] | None:
    """``app.bsky.embed.video`` when the post's one media id (the publisher's JSON
    entries) is a processed video; None otherwise."""
    if len(media_ids) != 1:
        return None
    entry = json.loads(media_ids[0])
    if VIDEO_MARK not in entry:
        return None
    return {"$type": VIDEO_MARK, **entry[VIDEO_MARK]}


class VideoUploader:
    """Uploads videos through a client of its own on ``settings.video_service_url``.

    :meth:`upload`'s ``service_auth`` sends ``getServiceAuth`` with the parameters
    given through the publisher's session and returns the token; ``did`` is the
    account's DID.
    """

    def __init__(self, settings: BlueskySettings, clock: Clock) -> None:
        self._video = Client(
            base_url=settings.video_service_url,
            request=Request(timeout=settings.request_timeout_s, trust_env=False),
        )
        self._settings = settings
        self._audience = service_audience(settings.api_base_url)
        self._clock = clock

    def upload(
        self, media: MediaFile, did: str, service_auth: Callable[[dict[str, Any]], str]
    ) -> str:
        """Upload ``media`` and wait until the service has processed it; the publisher's
        media id for it (the JSON of ``app.bsky.embed.video`` without ``$type``).

        :raises Rejected: processing failed (the service's ``failureCode`` and message).
        :raises TransientError: still processing after ``video_processing_timeout_s``.
        :raises AtProtocolError: the service refused or did not answer (translated by
            the publisher).
        """
        expires = int(self._clock.now().timestamp()) + SERVICE_TOKEN_S
        token = service_auth({"aud": self._audience, "lxm": UPLOAD_LXM, "exp": expires})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"}
        answer = self._video.invoke_procedure(
            "app.bsky.video.uploadVideo",
            params=DotDict({"did": did, "name": media.path.name}),  # not in the lexicon's model
            content=media.path.read_bytes(),
            headers=headers,
        ).content
        status = _job_status(answer)
        blob = self._wait(media, status)
        embed: dict[str, Any] = {"video": blob}
        alt = str(getattr(media, "alt_text", "") or "").strip()
        if alt:
            embed["alt"] = alt
        size = _video_size(media)
        if size is not None:
            embed["aspectRatio"] = {"width": size[0], "height": size[1]}
        return json.dumps({VIDEO_MARK: embed}, separators=(",", ":"))

    def close(self) -> None:
        """Close the video service client's connections."""
        self._video.request.close()

    def _wait(self, media: MediaFile, status: dict[str, Any]) -> dict[str, Any]:
        timeout = self._settings.video_processing_timeout_s
        interval = self._settings.video_poll_interval_s
        wall_deadline = time.monotonic() + timeout
        waited = 0.0  # campaign seconds slept between polls
        while True:
            if isinstance(status.get("blob"), dict):
                return dict(status["blob"])
            if status.get("state") == "JOB_STATE_FAILED":
                code = status.get("failureCode") or "generic_failure"
                why = status.get("message") or status.get("error") or "no reason given"
                raise Rejected(
                    f"Bluesky's video service could not process {media.path.name} "
                    f"({code}: {why}); check the file is a playable MP4 within "
                    "300 MB and 10 minutes",
                    platform_code="video",
                )
            if waited >= timeout or time.monotonic() >= wall_deadline:
                raise TransientError(
                    f"{media.path.name} was still being processed by Bluesky's video "
                    f"service after {timeout:g} s "
                    "(platforms.bluesky.video_processing_timeout_s)"
                )
            time.sleep(self._clock.wall_seconds(interval))
            waited += interval
            status = self._poll(str(status.get("jobId", "")))

    def _poll(self, job_id: str) -> dict[str, Any]:
        try:
            answer = self._video.invoke_query(
                "app.bsky.video.getJobStatus", params=DotDict({"jobId": job_id})
            ).content
        except BadRequestError as error:
            # ``already_exists``: processed before; the body still has the blob [5.5].
            content = getattr(error.response, "content", None)
            if isinstance(content, dict) and isinstance(content.get("jobStatus"), dict):
                return dict(content["jobStatus"])
            raise
        return _job_status(answer)


def _job_status(answer: object) -> dict[str, Any]:
    if not isinstance(answer, dict) or not isinstance(answer.get("jobStatus"), dict):
        raise TransientError("Bluesky's video service answered without a job status")
    return dict(answer["jobStatus"])


def _video_size(media: MediaFile) -> tuple[int, int] | None:
    """(width, height) of the video's first video stream, for ``aspectRatio``."""
    try:
        import av

        with av.open(str(media.path)) as container:
            stream = container.streams.video[0]
            width, height = int(stream.codec_context.width), int(stream.codec_context.height)
    except Exception:  # unreadable (PyAV raises many kinds): the embed goes without a ratio
        return None
    return (width, height) if width and height else None
