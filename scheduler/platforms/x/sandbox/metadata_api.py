"""The X stand-in's ``POST /2/media/metadata``: an uploaded image's alt text.

The body is validated against X's OpenAPI description
(``CreateMediaMetadataRequest``: ``id`` and ``metadata.alt_text.text``, at most
1,000 characters); the call is billed as "Media Metadata"; X takes alt text on
images only [platforms-2026.md 1.1, 3].
"""

from __future__ import annotations

from scheduler.platforms.sandbox_server import Response, Route, route
from scheduler.platforms.x.media_limits import X_MEDIA
from scheduler.platforms.x.sandbox.base import XCall, XStandIn
from scheduler.platforms.x.sandbox.openapi import schema_errors
from scheduler.platforms.x.sandbox.responses import invalid_request


def metadata_routes(sandbox: XStandIn) -> list[Route]:
    """The metadata endpoint of ``sandbox``, in the media upload's rate window."""
    window = sandbox.limits.media_upload_15m
    return [
        route(
            "POST",
            "/2/media/metadata",
            sandbox.endpoint("x.media_metadata", "metadata", window, metadata),
        )
    ]


def metadata(sandbox: XStandIn, call: XCall) -> Response:
    """``POST /2/media/metadata``: an uploaded image's alt text (billed as "Media
    Metadata"; X takes alt text on images only) [platforms-2026.md 1.1, 3]."""
    try:
        body = call.request.json()
    except ValueError:
        return invalid_request("the body must be JSON")
    problems = schema_errors("CreateMediaMetadataRequest", body)
    if problems:
        return invalid_request(problems[0])
    media = sandbox.state.media.get(str(body["id"]))
    if media is None or media.owner != call.account.label:
        return invalid_request("Media id not found.", {"id": [str(body["id"])]})
    alt = (body.get("metadata") or {}).get("alt_text") or {}
    text = alt.get("text")
    most = X_MEDIA.alt_text_max_chars or 1000
    if not isinstance(text, str) or len(text) > most:
        return invalid_request(f"alt_text.text must be text of at most {most} characters")
    if media.kind == "video":
        return invalid_request("Alt text can only be added to images.", {"id": [media.id]})
    with sandbox.state.lock:
        media.alt_text = text
    sandbox.bill("media_metadata")
    return Response(200, {"data": {"id": media.id, "associated_metadata": {"alt_text": alt}}})
