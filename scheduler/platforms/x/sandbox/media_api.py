"""The X stand-in's v2 media upload endpoints [platforms.md 1.6].

::

    POST /2/media/upload                    one-shot upload (multipart bytes or JSON base64)
    POST /2/media/upload/initialize         chunked: announce type, size and category
    POST /2/media/upload/{id}/append        chunked: one segment (multipart or JSON)
    POST /2/media/upload/{id}/finalize      chunked: assemble and check
    GET  /2/media/upload?command=STATUS&media_id={id}   processing state
    POST /2/media/metadata                  alt text: :mod:`~.metadata_api`

Files are checked as X checks them (see :mod:`~scheduler.platforms.x.sandbox.media_files`),
by the limits X's profile states (``media_limits.py``): a JPEG, PNG, GIF or WebP
image or an MP4/MOV/WebM/TS video, of the announced type, within 5 MB (image),
15 MB (GIF) or 512 MB (video), an image within 8192x8192 pixels, an animated GIF
within 350 frames. A video's segments must come in order (a repeated one is
taken as already received): the stand-in keeps its size and SHA-256, not its
bytes. Images are usable at once;
GIF and video go ``pending`` -> ``in_progress`` -> ``succeeded`` one step per
status poll, each answer asking the client to wait ``check_after_secs``. A
``processing_failed`` fault makes processing end in ``failed`` with an
``error`` object, as the v1.1 API and client code show.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from scheduler.platforms.sandbox_server import Response, Route, route
from scheduler.platforms.x.sandbox.base import XCall, XStandIn
from scheduler.platforms.x.sandbox.media_files import (
    HEAD_BYTES,
    MAX_BYTES,
    image_refusal,
    media_kind,
    read_form,
    sniff,
)
from scheduler.platforms.x.sandbox.openapi import schema_errors
from scheduler.platforms.x.sandbox.responses import invalid_request
from scheduler.platforms.x.sandbox.state import XMedia

EXPIRES_AFTER_S = 86_400
UNRECOGNIZED = "media type unrecognized."
FAILED_ERROR = {"code": 1, "name": "InvalidMedia", "message": "Unsupported media file"}


def media_routes(sandbox: XStandIn) -> list[Route]:
    """The media endpoints of ``sandbox``, with X's rate windows for each."""
    limits = sandbox.limits
    chunk = limits.media_chunk_15m
    base = "/2/media/upload"
    media_id = r"/(?P<id>[0-9]{1,19})"
    return [
        route(
            "POST",
            base,
            sandbox.endpoint("x.media_upload", "media", limits.media_upload_15m, upload),
        ),
        route(
            "GET",
            base,
            sandbox.endpoint("x.media_status", "status", limits.media_status_15m, status),
        ),
        route(
            "POST",
            base + "/initialize",
            sandbox.endpoint("x.media_upload", "chunk", chunk, initialize),
        ),
        route(
            "POST",
            base + media_id + "/append",
            sandbox.endpoint("x.media_upload", "chunk", chunk, append),
        ),
        route(
            "POST",
            base + media_id + "/finalize",
            sandbox.endpoint("x.media_upload", "chunk", chunk, finalize),
        ),
    ]


def _check_content(media: XMedia, content: bytes, size: int | None = None) -> str | None:
    """Why X would refuse ``content`` (a video's first bytes, of ``size`` in all) for
    ``media``, or None; records its dimensions."""
    found = sniff(content)
    size = len(content) if size is None else size
    if found is None or media_kind(found[0]) != media.kind:
        return UNRECOGNIZED
    if size > MAX_BYTES[media.kind]:
        return f"File size exceeds {MAX_BYTES[media.kind]} bytes."
    if media.kind != "video":
        refusal = image_refusal(content)
        if refusal is not None:
            return refusal
    media.mime_type, media.width, media.height = found
    media.size = size
    return None


def _describe(sandbox: XStandIn, media: XMedia) -> dict[str, Any]:
    remaining = int((media.expires_at - sandbox.clock.now()).total_seconds())
    data: dict[str, Any] = {
        "id": media.id,
        "media_key": media.media_key,
        "size": media.size,
        "expires_after_secs": max(remaining, 0),
    }
    if media.kind == "video":
        data["video"] = {"video_type": media.mime_type}
    else:
        data["image"] = {"image_type": media.mime_type, "w": media.width, "h": media.height}
    if media.state != "succeeded" or media.kind != "image":
        info: dict[str, Any] = {"state": media.state}
        if media.state in ("pending", "in_progress"):
            info["check_after_secs"] = sandbox.media_check_after_s
        info["progress_percent"] = {"pending": 0, "in_progress": 50}.get(media.state, 100)
        if media.state == "failed":
            info["error"] = dict(FAILED_ERROR)
        data["processing_info"] = info
    return data


def _new_media(sandbox: XStandIn, call: XCall, mime: str, category: str, total: int) -> XMedia:
    now = sandbox.clock.now()
    return XMedia(
        id=sandbox.state.next_id(),
        owner=call.account.label,
        kind=media_kind(mime),
        mime_type=mime,
        category=category,
        total_bytes=total,
        created_at=now,
        expires_at=now + timedelta(seconds=EXPIRES_AFTER_S),
    )


def _fails_processing(call: XCall) -> bool:
    """Whether this request carries a ``processing_failed`` fault. Any step of an
    upload may take it (they share the endpoint name); the media remembers it."""
    return call.fault is not None and call.fault.kind == "processing_failed"


def _start_processing(call: XCall, media: XMedia) -> None:
    media.fail_processing = media.fail_processing or _fails_processing(call)
    media.state = "succeeded" if media.kind == "image" and not media.fail_processing else "pending"


def upload(sandbox: XStandIn, call: XCall) -> Response:
    """``POST /2/media/upload``: the one-shot upload."""
    try:
        form = read_form(call, "MediaUploadRequest")
    except ValueError as error:
        return invalid_request(str(error))
    content, category = form.get("media"), form.get("media_category")
    if not isinstance(content, bytes) or not content or not category:
        return invalid_request("media and media_category are required", {"media": []})
    found = sniff(content)
    if found is None:
        return invalid_request(UNRECOGNIZED, {"media": ["(binary)"]})
    media = _new_media(sandbox, call, found[0], str(category), len(content))
    refusal = _check_content(media, content)
    if refusal is not None:
        return invalid_request(refusal, {"media": ["(binary)"]})
    _start_processing(call, media)
    with sandbox.state.lock:
        sandbox.state.media[media.id] = media
    return Response(200, {"data": _describe(sandbox, media)})


def initialize(sandbox: XStandIn, call: XCall) -> Response:
    """``POST /2/media/upload/initialize``."""
    try:
        body = call.request.json()
    except ValueError:
        return invalid_request("the body must be JSON")
    problems = schema_errors("InitializeMediaUploadRequest", body)
    if problems:
        return invalid_request(problems[0])
    mime, total = body.get("media_type"), body.get("total_bytes")
    if not isinstance(mime, str) or not isinstance(total, int) or total <= 0:
        return invalid_request("media_type and total_bytes are required", {"total_bytes": []})
    if not mime.startswith(("image/", "video/")):
        return invalid_request(UNRECOGNIZED, {"media_type": [mime]})
    media = _new_media(sandbox, call, mime, str(body.get("media_category", "tweet_image")), total)
    if total > MAX_BYTES[media.kind]:
        return invalid_request(
            f"File size exceeds {MAX_BYTES[media.kind]} bytes.", {"total_bytes": [str(total)]}
        )
    media.fail_processing = _fails_processing(call)
    with sandbox.state.lock:
        sandbox.state.media[media.id] = media
    data = {"id": media.id, "media_key": media.media_key, "expires_after_secs": EXPIRES_AFTER_S}
    return Response(200, {"data": data})


def _own_media(sandbox: XStandIn, call: XCall, media_id: str) -> XMedia | Response:
    media = sandbox.state.media.get(media_id)
    if media is None or media.owner != call.account.label:
        return invalid_request("Media id not found.", {"media_id": [media_id]})
    return media


def append(sandbox: XStandIn, call: XCall) -> Response:
    """``POST /2/media/upload/{id}/append``: one segment."""
    media = _own_media(sandbox, call, call.match["id"])
    if isinstance(media, Response):
        return media
    try:
        form = read_form(call, "AppendMediaUploadRequest")
        index = int(form["segment_index"])
    except (ValueError, KeyError) as error:
        return invalid_request(f"segment_index and media are required ({error})")
    content = form.get("media")
    if media.state != "uploading" or not isinstance(content, bytes) or not 0 <= index <= 999:
        return invalid_request(
            "Segment index out of range or upload finished.", {"segment_index": [str(index)]}
        )
    with sandbox.state.lock:
        media.fail_processing = media.fail_processing or _fails_processing(call)
        if media.kind == "video":
            refusal = _stream_segment(media, index, content)
            if refusal is not None:
                return invalid_request(refusal, {"segment_index": [str(index)]})
        else:
            media.chunks[index] = content
            if sum(len(part) for part in media.chunks.values()) > media.total_bytes:
                return invalid_request("File size exceeds the announced total_bytes.")
    return Response(200, {"data": {"expires_at": int(media.expires_at.timestamp())}})


def _stream_segment(media: XMedia, index: int, content: bytes) -> str | None:
    """Count and hash a video segment, keeping only the file's first bytes."""
    if index < media.next_segment:
        return None  # sent again after a lost answer: already counted
    if index > media.next_segment:
        return f"Segment {index} arrived before segment {media.next_segment}."
    if media.digest is None:
        media.digest = hashlib.sha256()
    media.digest.update(content)
    media.size += len(content)
    if len(media.head) < HEAD_BYTES:
        media.head += content[: HEAD_BYTES - len(media.head)]
    media.next_segment += 1
    if media.size > media.total_bytes:
        return "File size exceeds the announced total_bytes."
    return None


def finalize(sandbox: XStandIn, call: XCall) -> Response:
    """``POST /2/media/upload/{id}/finalize``: assemble the segments and check the file."""
    media = _own_media(sandbox, call, call.match["id"])
    if isinstance(media, Response):
        return media
    with sandbox.state.lock:
        if media.state != "uploading":
            return invalid_request("Upload already finalized.", {"media_id": [media.id]})
        if media.kind == "video":
            content, size = media.head, media.size
        else:
            indexes = sorted(media.chunks)
            if indexes != list(range(len(indexes))):
                return invalid_request("Segments are missing.", {"media_id": [media.id]})
            content = b"".join(media.chunks[index] for index in indexes)
            size = len(content)
        if size != media.total_bytes:
            return invalid_request("File size mismatch.", {"media_id": [media.id]})
        refusal = _check_content(media, content, size)
        media.chunks.clear()
        if refusal is not None:
            media.state = "failed"
            return invalid_request(refusal, {"media_id": [media.id]})
        _start_processing(call, media)
        return Response(200, {"data": _describe(sandbox, media)})


def status(sandbox: XStandIn, call: XCall) -> Response:
    """``GET /2/media/upload?command=STATUS&media_id=``: advances processing one step."""
    query = {name: values[-1] for name, values in call.request.query.items()}
    if query.get("command", "STATUS") != "STATUS" or "media_id" not in query:
        return invalid_request("media_id is required", {"media_id": []})
    media = _own_media(sandbox, call, query["media_id"])
    if isinstance(media, Response):
        return media
    with sandbox.state.lock:
        if media.state == "uploading":
            return invalid_request("Upload not finalized.", {"media_id": [media.id]})
        if _fails_processing(call):
            media.fail_processing = True
        if media.state == "pending":
            media.state = "in_progress"
        elif media.state == "in_progress":
            media.state = "failed" if media.fail_processing else "succeeded"
        media.polls += 1
        return Response(200, {"data": _describe(sandbox, media)})
