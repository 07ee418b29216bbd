"""The media types a Mastodon server takes in its default configuration
(``configuration.media_attachments.supported_mime_types`` of ``/api/v2/instance``)
[platforms-2026.md 6.3]; shared by the publisher's check and the stand-in."""

from __future__ import annotations

IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/heic", "image/heif", "image/webp", "image/avif"}
)
# Processed after the upload (202, then polled) [platforms-2026.md 6.2].
PROCESSED_LATER = frozenset(
    {"image/gif", "video/mp4", "video/webm", "video/quicktime", "video/ogg"}
)
SUPPORTED_TYPES = IMAGE_TYPES | PROCESSED_LATER
