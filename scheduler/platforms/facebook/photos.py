"""A Page photo's ``upload_media`` handle: no call is made; the file is checked
against Facebook's photo rules (JPG/PNG/GIF/TIFF/HEIF/WebP, under 4 MB
[platforms.md 2.2], the profile's ``media_limits.py``) and the handle is its
``file://`` URI, with the alt text in its query, so it stays usable after a
restart. The alt text goes out as ``alt_text_custom`` [platforms-2026.md 4.2].
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from scheduler.errors import Rejected, TransientError
from scheduler.platforms.base import MediaFile
from scheduler.platforms.facebook.media_limits import FACEBOOK_MEDIA

PHOTO_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/tiff", "image/heif", "image/heic", "image/webp"}
)
MAX_PHOTO_BYTES = FACEBOOK_MEDIA.max_image_bytes  # "less than 4 MB" [platforms.md 2.2]


def photo_handle(media: MediaFile) -> str:
    """The handle of a photo Facebook takes.

    :raises Rejected: not a photo type Facebook takes, unreadable, or 4 MB or more.
    """
    if media.mime_type not in PHOTO_TYPES:
        raise Rejected(
            f"{media.path.name} is {media.mime_type}; Facebook Page photos must be "
            "JPG, PNG, GIF, TIFF, HEIF or WebP"
        )
    try:
        size = media.path.stat().st_size
    except OSError as error:
        raise Rejected(f"cannot read {media.path}: {error.strerror}") from None
    if size >= MAX_PHOTO_BYTES:
        raise Rejected(
            f"{media.path.name} is {size / 1_000_000:.1f} MB; Facebook takes photos under 4 MB"
        )
    uri = media.path.resolve().as_uri()
    return f"{uri}?{urlencode({'alt': media.alt_text})}" if media.alt_text else uri


def photo_alt(handle: str) -> dict[str, str]:
    """``{"alt_text_custom": ...}`` for a handle that carries an alt text, else empty."""
    alt = parse_qs(urlsplit(handle).query).get("alt")
    return {"alt_text_custom": alt[0]} if alt else {}


def photo_path(handle: str) -> Path:
    """The file behind a photo handle (a ``file://`` URI).

    :raises TransientError: the handle is not a file that is there.
    """
    parts = urlsplit(handle)
    path = Path(unquote(parts.path))
    if parts.scheme != "file" or not path.is_file():
        raise TransientError(f"media {handle!r} is not an uploaded file; upload it again")
    return path
