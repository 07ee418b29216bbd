"""The Graph stand-in's Page video flow [platforms-2026.md 4.1]::

    POST /{version}/{app-id}/uploads        open an upload session -> {"id": "upload:<n>"}
    POST /{version}/upload:<n>              bytes at ``file_offset`` -> {"h": <handle>}
    GET  /{version}/upload:<n>              how far the bytes got -> {"id", "file_offset"}
    POST /{version}/{page-id}/videos        publish: ``fbuploader_video_file_chunk`` -> {"id"}
    GET  /{version}/{video-id}?fields=status,post_id,permalink_url   processing

The transfer takes the token as ``Authorization: OAuth <token>`` (a header, as
the reference insists). Sizes follow the profile's limits (``media_limits.py``:
at most 2 GB, error subcode 1363023; at least 1 KB, 1363022). The session keeps
the bytes' count and SHA-256, never the bytes. A video is ``processing`` for
``video_processing_polls`` status reads, then ``ready`` with a feed post whose
id is not the video's; a ``processing_failed`` fault on ``facebook.videos``
ends it in ``error``.
"""

from __future__ import annotations

import hashlib

from scheduler.platforms.facebook.media_limits import FACEBOOK_MEDIA
from scheduler.platforms.facebook.sandbox.base import GraphCall, GraphStandIn
from scheduler.platforms.facebook.sandbox.errors import graph_error
from scheduler.platforms.facebook.sandbox.state import StoredVideo, UploadSession
from scheduler.platforms.sandbox_server import Response

# File types an upload session takes [platforms-2026.md 4.1, step 1].
UPLOAD_TYPES = frozenset({"application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"})
MIN_VIDEO_BYTES = 1024  # subcode 1363022 "minimum 1 KB"


def _video_error(subcode: int, message: str) -> Response:
    return graph_error(100, f"(#100) {message}", subcode=subcode)


def open_session(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``POST /{app-id}/uploads``: a session for ``file_length`` bytes of ``file_type``."""
    if call.match["page"] != sandbox.state.app_id:
        return graph_error(100, "(#100) Upload sessions belong to the app: use the app id")
    try:
        length = int(call.param("file_length"))
    except ValueError:
        return graph_error(100, "(#100) file_length must be a number of bytes")
    file_type = call.param("file_type")
    if file_type not in UPLOAD_TYPES:
        return graph_error(100, f"(#100) file_type {file_type!r} is not supported")
    most = FACEBOOK_MEDIA.video.max_bytes if FACEBOOK_MEDIA.video else 0
    if length > most:
        return _video_error(1363023, "The maximum size for a video is 2 GB")
    if length < MIN_VIDEO_BYTES:
        return _video_error(1363022, "The video file is too small (minimum 1 KB)")
    session = UploadSession(f"upload:{sandbox.state.next_number()}", length, file_type)
    with sandbox.state.lock:
        sandbox.state.uploads[session.session_id] = session
    return Response(200, {"id": session.session_id})


def transfer(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``POST /upload:<n>``: bytes from ``file_offset`` on; the handle once complete."""
    session = sandbox.state.uploads.get(call.match["session"])
    if session is None:
        return graph_error(100, "(#100) Unknown upload session")
    try:
        offset = int(call.request.header("file_offset") or "-1")
    except ValueError:
        offset = -1
    body = call.request.body
    with sandbox.state.lock:
        if offset != session.offset:
            return graph_error(
                100, f"(#100) file_offset must be {session.offset}, where the upload stands"
            )
        if session.offset + len(body) > session.length:
            return graph_error(100, "(#100) More bytes than file_length")
        if session.digest is None:
            session.digest = hashlib.sha256()
        session.digest.update(body)
        session.offset += len(body)
        if session.offset < session.length:
            return Response(200, {"file_offset": session.offset})
        if session.handle is None:
            session.handle = f"{session.session_id[7:]}:{session.digest.hexdigest()[:16]}"
        return Response(200, {"h": session.handle})


def session_status(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``GET /upload:<n>``: how far the bytes got."""
    session = sandbox.state.uploads.get(call.match["session"])
    if session is None:
        return graph_error(100, "(#100) Unknown upload session")
    return Response(200, {"id": session.session_id, "file_offset": session.offset})


def publish(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``POST /{page-id}/videos``: the video from a complete upload's handle."""
    page = call.page
    if page is None or call.match["page"] != page.page_id:
        return graph_error(200, "(#200) The token may not publish to this Page")
    handle = call.param("fbuploader_video_file_chunk")
    with sandbox.state.lock:
        session = next(
            (item for item in sandbox.state.uploads.values() if handle and item.handle == handle),
            None,
        )
        if session is None:
            return graph_error(100, "(#100) fbuploader_video_file_chunk is not a finished upload")
        video = StoredVideo(
            video_id=str(sandbox.state.next_number()),
            page_id=page.page_id,
            description=call.param("description"),
            title=call.param("title"),
            size_bytes=session.length,
            sha256=session.digest.hexdigest() if session.digest else "",
            polls_left=sandbox.video_processing_polls,
            fail=call.fault is not None and call.fault.kind == "processing_failed",
        )
        sandbox.state.videos[video.video_id] = video
    return Response(200, {"id": video.video_id})


def _finish(sandbox: GraphStandIn, video: StoredVideo) -> None:
    """End ``video``'s processing: ``error`` with a fault, else ``ready`` with its post."""
    if video.fail:
        video.status = "error"
        return
    video.status = "ready"
    page = sandbox.state.pages[video.page_id]
    post = sandbox.state.add_post(page, video.description, None, sandbox.clock.now(), video=True)
    video.post_id = post.post_id


def settle(sandbox: GraphStandIn, page_id: str) -> None:
    """Finish every video of ``page_id`` still processing: the Page's feed, read
    later (a reconciliation after an unknown outcome), shows the finished ones."""
    with sandbox.state.lock:
        for video in sandbox.state.videos.values():
            if video.page_id == page_id and video.status == "processing":
                _finish(sandbox, video)


def video_object(sandbox: GraphStandIn, video: StoredVideo) -> Response:
    """``GET /{video-id}``: its status, advancing processing one step per read."""
    with sandbox.state.lock:
        if video.status == "processing":
            if video.polls_left > 0:
                video.polls_left -= 1
            else:
                _finish(sandbox, video)
        body: dict[str, object] = {
            "id": video.video_id,
            "status": {
                "video_status": video.status,
                "processing_progress": 100 if video.status == "ready" else 50,
            },
        }
        if video.post_id is not None:
            body["post_id"] = video.post_id
            body["permalink_url"] = (
                f"https://www.facebook.com/{video.page_id}/videos/{video.video_id}"
            )
    return Response(200, body)
