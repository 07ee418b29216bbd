"""The Mastodon stand-in's media endpoints: ``POST /api/v2/media`` and its poll.

As a server does [platforms-2026.md 6.2]: images are processed at once (200);
videos and GIFs answer 202 with ``url: null`` and ``GET /api/v1/media/:id``
answers 206 until processed (``video_polls`` polls), then 200; a failed
processing answers 422. A file whose type the server does not take, or over
its size limit, is a 422 at upload.
"""

from __future__ import annotations

from scheduler.platforms.mastodon.formats import IMAGE_TYPES, PROCESSED_LATER
from scheduler.platforms.mastodon.sandbox.base import Call, MastodonStandIn
from scheduler.platforms.mastodon.sandbox.entities import media_entity
from scheduler.platforms.mastodon.sandbox.state import StoredMedia
from scheduler.platforms.mastodon.sandbox.wire import error
from scheduler.platforms.sandbox_server import Response

_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"\x1aE\xdf\xa3")


def upload(sandbox: MastodonStandIn, call: Call) -> Response:
    part = call.body.files.get("file")
    if part is None:
        return error(422, "Validation failed: File can't be blank")
    data, mime_type = part
    if mime_type not in IMAGE_TYPES | PROCESSED_LATER or not _looks_like_media(data):
        return error(422, "Validation failed: File content type is invalid, File is invalid")
    video = mime_type.startswith("video/")
    limit = sandbox.limits.video_size_limit if video else sandbox.limits.image_size_limit
    if len(data) > limit:
        return error(422, f"Validation failed: File file size must be less than {limit} Bytes")
    description = call.body.one("description") or None
    if description is not None and len(description) > sandbox.limits.description_limit:
        return error(
            422,
            f"Validation failed: Description is too long (maximum is "
            f"{sandbox.limits.description_limit} characters)",
        )
    later = mime_type in PROCESSED_LATER
    media = StoredMedia(
        sandbox.state.next_id(),
        "video" if video else ("gifv" if mime_type == "image/gif" else "image"),
        mime_type,
        len(data),
        description,
        polls_left=sandbox.video_polls if later else 0,
    )
    with sandbox.state.lock:
        call.account.media[media.media_id] = media
    return Response(status=202 if later else 200, body=media_entity(call.account, media))


def poll(sandbox: MastodonStandIn, call: Call) -> Response:
    with sandbox.state.lock:
        media = call.account.media.get(call.match["id"])
        if media is None:
            return error(404, "Record not found")
        if media.polls_left > 0:
            media.polls_left -= 1
            return Response(status=206, body=media_entity(call.account, media))
        if media.failed:
            return error(422, "Error processing thumbnail for uploaded media")
        return Response(body=media_entity(call.account, media))


def _looks_like_media(data: bytes) -> bool:
    """Known image signatures, or an ISO media file (``ftyp`` at byte 4)."""
    return data.startswith(_SIGNATURES) or data[4:8] == b"ftyp" or data.startswith(b"OggS")
