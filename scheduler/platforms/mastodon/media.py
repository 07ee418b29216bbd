"""Media through ``POST /api/v2/media`` and its asynchronous processing.

The server answers 200 when it processed the file at once (images) and 202
with ``url: null`` while it is still processing (video, GIF); then
``GET /api/v1/media/:id`` answers 206 until it is done, 200 with the ``url``
when it is, and 422 when processing failed [platforms-2026.md 6.2].
Mastodon.py's ``synchronous=True`` polls every 5 s with no timeout and turns
every failure into one message [platforms-2026.md 6.5], so this module polls
itself, every ``media_poll_interval_s``, for at most
``media_processing_timeout_s``. Both are campaign-clock seconds, turned into
wall seconds by the clock, as X's ``check_after_secs`` and Facebook's video
polls are: the same with the real clock, and in a rehearsal the stand-in's
processing (a number of polls) takes the campaign time it would take a
server, so a video post is on time there too. The timeout also holds in
wall seconds, so a server that is slow to answer each poll cannot stretch it.

A file's description (alt text) goes with the upload: a :class:`MediaFile`
that carries one (``alt_text``) has it sent, cut to the server's
``description_limit``.
"""

from __future__ import annotations

import time
from typing import Any

from mastodon import Mastodon

from scheduler.clock import Clock
from scheduler.errors import Rejected, TransientError
from scheduler.platforms.base import MediaFile
from scheduler.platforms.mastodon.formats import SUPPORTED_TYPES
from scheduler.platforms.mastodon.settings import MastodonSettings


def upload(api: Mastodon, media: MediaFile, settings: MastodonSettings, clock: Clock) -> str:
    """Upload ``media`` and wait until the server has processed it; its media id.

    ``clock`` turns the poll interval and timeout (campaign seconds) into wall
    seconds to sleep.

    :raises Rejected: a type the server does not take, a file over its size limit,
        or processing that failed.
    :raises TransientError: still processing after ``media_processing_timeout_s``.
    """
    if media.mime_type not in SUPPORTED_TYPES:
        raise Rejected(
            f"{media.path.name} is {media.mime_type}; Mastodon takes JPG, PNG, GIF, "
            "WebP, HEIF, AVIF images and MP4, WebM or MOV videos",
            platform_code="media",
        )
    video = media.mime_type.startswith("video/")
    limit = settings.video_size_limit_bytes if video else settings.image_size_limit_bytes
    if media.size_bytes > limit:
        raise Rejected(
            f"{media.path.name} is {media.size_bytes / 1_048_576:.1f} MB; the server takes "
            f"{'videos' if video else 'images'} up to {limit / 1_048_576:.0f} MB",
            platform_code="media",
        )
    description = _description(media, settings.description_limit)
    # An open file, closed here: given a path, Mastodon.py opens it and never closes it.
    with media.path.open("rb") as data:
        attachment: Any = api.media_post(
            data, mime_type=media.mime_type, description=description, file_name=media.path.name
        )
    timeout = settings.media_processing_timeout_s
    interval = settings.media_poll_interval_s
    wall_deadline = time.monotonic() + timeout
    waited = 0.0  # campaign seconds slept between polls
    while attachment.get("url") is None:
        if waited >= timeout or time.monotonic() >= wall_deadline:
            raise TransientError(
                f"{media.path.name} was still being processed by the server after "
                f"{timeout:g} s (platforms.mastodon.media_processing_timeout_s)"
            )
        time.sleep(clock.wall_seconds(interval))
        waited += interval
        attachment = api.media(attachment["id"])
    return str(attachment["id"])


def _description(media: MediaFile, limit: int) -> str | None:
    """The file's alt text, when the content model gives it one, within ``limit``."""
    text = getattr(media, "alt_text", None)
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip()[:limit]
