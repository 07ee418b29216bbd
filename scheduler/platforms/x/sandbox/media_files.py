"""What the X media stand-in reads from a request: form fields, file bytes, file types.

Uploads arrive as ``multipart/form-data`` (raw bytes in the ``media`` part) or
as JSON with ``media`` in base64 [platforms.md 1.6]; :func:`read_form` gives the
same dict for both. :func:`sniff` tells what a file is, as X would: JPEG, PNG,
GIF and WebP images (read with Pillow) and MP4, MOV, WebM and MPEG-TS videos
(by their container signature).
"""

from __future__ import annotations

import base64
import io
import re
import warnings
from email.parser import HeaderParser
from typing import Any

from PIL import Image, UnidentifiedImageError

from scheduler.platforms.x.media_limits import X_MEDIA
from scheduler.platforms.x.sandbox.base import XCall
from scheduler.platforms.x.sandbox.openapi import schema_errors

# Size limits by kind, the profile's own (media_limits.py): image 5 MB, animated GIF
# 15 MB, video 512 MB [platforms.md 1.6; platforms-2026.md 1.2].
MAX_BYTES = {
    "image": X_MEDIA.max_image_bytes,
    "gif": X_MEDIA.max_animated_gif_bytes or X_MEDIA.max_image_bytes,
    "video": X_MEDIA.max_video_bytes or 0,
}
# Enough of a video's start to tell its container; the rest is only counted and hashed.
HEAD_BYTES = 4096
PILLOW_TYPES = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
PILLOW_TYPES["WEBP"] = "image/webp"


def read_form(call: XCall, schema: str) -> dict[str, Any]:
    """The fields of a multipart or JSON body; ``media`` is always bytes.

    :raises ValueError: with the message X would give.
    """
    content_type = call.request.header("Content-Type")
    if content_type.startswith("multipart/form-data"):
        return _multipart(call.request.body, content_type)
    if content_type.startswith("application/json"):
        body = call.request.json()
        problems = schema_errors(schema, body)
        if problems:
            raise ValueError(problems[0])
        if "media" in body:
            body["media"] = base64.b64decode(body["media"], validate=True)
        return dict(body)
    raise ValueError("the body must be multipart/form-data or JSON")


def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
    boundary = (
        HeaderParser().parsestr(f"Content-Type: {content_type}\r\n\r\n").get_param("boundary")
    )
    if not isinstance(boundary, str) or not boundary:
        raise ValueError("multipart body without a boundary")
    fields: dict[str, Any] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, separator, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("malformed multipart part")
        disposition = re.search(rb'name="([^"]*)"', head)
        if disposition is None:
            raise ValueError("multipart part without a name")
        name = disposition.group(1).decode("utf-8")
        value = data.removesuffix(b"\r\n")
        fields[name] = value if name == "media" else value.decode("utf-8")
    return fields


def image_refusal(content: bytes) -> str | None:
    """Why X refuses the image ``content`` by its pixels (dimensions, an animated
    GIF's frames), in X's manner, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        image = Image.open(io.BytesIO(content))
    width, height = image.size
    most, least = X_MEDIA.max_image_pixels, X_MEDIA.min_image_pixels
    if most is not None and (width > most[0] or height > most[1]):
        return f"Image dimensions {width}x{height} exceed {most[0]}x{most[1]}."
    if least is not None and (width < least[0] or height < least[1]):
        return f"Image dimensions {width}x{height} are below {least[0]}x{least[1]}."
    frames = int(getattr(image, "n_frames", 1))
    if X_MEDIA.max_gif_frames is not None and frames > X_MEDIA.max_gif_frames:
        return f"Animated GIF has {frames} frames; at most {X_MEDIA.max_gif_frames} are allowed."
    total = X_MEDIA.max_gif_total_pixels
    if total is not None and frames > 1 and width * height * frames > total:
        return f"Animated GIF exceeds {total} pixels over all frames."
    return None


def sniff(content: bytes) -> tuple[str, int, int] | None:
    """(MIME type, width, height) of an image or video, or None when X would not take it;
    for a video, ``content`` may be only its first :data:`HEAD_BYTES`."""
    if content[4:8] == b"ftyp":
        return ("video/quicktime" if content[8:10] == b"qt" else "video/mp4"), 0, 0
    if content[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm", 0, 0
    if content[:1] == b"\x47" and content[188:189] == b"\x47":
        return "video/mp2t", 0, 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning and the like
            image = Image.open(io.BytesIO(content))
    except (UnidentifiedImageError, OSError):
        return None
    mime = PILLOW_TYPES.get(image.format or "")
    return (mime, image.width, image.height) if mime else None


def media_kind(mime: str) -> str:
    """``image``, ``gif`` or ``video`` for a MIME type."""
    return "gif" if mime == "image/gif" else mime.split("/")[0]
