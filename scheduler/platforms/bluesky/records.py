"""The post record Bluesky stores, and the record key that makes its create exactly once.

**The record key.** ``app.bsky.feed.post`` records are keyed by a TID: 13
characters of base32-sortable (``234567abcdefghijklmnopqrstuvwxyz``) encoding
a 64-bit number whose top bit is 0, then 53 bits of microseconds since the
epoch, then a 10-bit clock id; the first character is one of
``234567abcdefghij`` [platforms-2026.md 5.2; atproto syntax/tid.ts]. A client
may choose the key, so the key is derived from the publication's
idempotency key (:class:`~scheduler.platforms.base.PostRequest`): the same
publication always sends the same key, a publication a person queues again
sends a new one. The PDS refuses a second create on an existing key (with a 500, not the
record: atproto#3718), so the create is never sent twice and an unknown
outcome is settled by ``getRecord`` on the key.

The timestamp part is 2024-01-01 plus 42 bits of the key's hash in
microseconds (about 51 days), and the clock id 10 more bits: 52 bits, so two
of a campaign's publications share a record key with a chance of about one in
ten million even at ten thousand publications on one account.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_EPOCH_2024_US = 1_704_067_200_000_000
_TIMESTAMP_BITS = 53
_LANGS_MAX = 3  # platforms-2026.md 5.3 (langs: up to 3)


def encode_tid(timestamp_us: int, clock_id: int) -> str:
    """The TID of ``timestamp_us`` (microseconds, < 2^53) and ``clock_id`` (< 1024)."""
    if not 0 <= timestamp_us < 1 << _TIMESTAMP_BITS or not 0 <= clock_id < 1024:
        raise ValueError("a TID holds a 53-bit timestamp and a 10-bit clock id")
    value = (timestamp_us << 10) | clock_id
    characters = []
    for _ in range(13):
        characters.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(characters))


def decode_tid(tid: str) -> tuple[int, int]:
    """``(timestamp_us, clock_id)`` of a TID.

    :raises ValueError: ``tid`` is not a valid TID.
    """
    if (
        len(tid) != 13
        or tid[0] not in TID_ALPHABET[:16]
        or any(character not in TID_ALPHABET for character in tid)
    ):
        raise ValueError(f"{tid!r} is not a TID")
    value = 0
    for character in tid:
        value = (value << 5) | TID_ALPHABET.index(character)
    return value >> 10, value & 1023


def record_key(key: str) -> str:
    """The record key of the publication whose idempotency key is ``key`` (the
    product's :class:`~scheduler.platforms.base.PostRequest` key: the same for one
    publication until a person queues it again): a valid TID, the same for the same
    ``key``. 52 bits of the key's hash choose it: 42 for microseconds after
    2024-01-01 (so the key reads as a plausible time, never a future one) and 10 for
    the clock id."""
    bits = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    timestamp = _EPOCH_2024_US + (bits >> 22) % (1 << 42)
    return encode_tid(timestamp, bits & 1023)


def post_record(
    text: str,
    created_at: datetime,
    *,
    facets: list[dict[str, Any]],
    langs: tuple[str, ...] = (),
    embed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``app.bsky.feed.post`` record (``createdAt`` in UTC with microseconds and ``Z``)."""
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    if facets:
        record["facets"] = facets
    if langs:
        record["langs"] = list(langs[:_LANGS_MAX])
    if embed is not None:
        record["embed"] = embed
    return record


def embed_for(
    media_ids: Sequence[str],
    link: str | None,
    card: tuple[str, str, dict[str, Any] | None] | None = None,
) -> dict[str, Any] | None:
    """The record's ``embed``: the images (``media_ids`` are the publisher's JSON image
    entries, alt text included), else a link card for ``link``, else None (a record
    embeds one thing). ``card`` is the stored card (title, description, thumbnail
    blob or None); without one the card shows the link's host as its title."""
    if media_ids:
        return {"$type": "app.bsky.embed.images", "images": [json.loads(i) for i in media_ids]}
    if link:
        title, description, thumb = card or (urlsplit(link).hostname or link, "", None)
        external: dict[str, Any] = {"uri": link, "title": title, "description": description}
        if thumb is not None:
            external["thumb"] = thumb
        return {"$type": "app.bsky.embed.external", "external": external}
    return None


def pixels(data: bytes) -> tuple[int, int] | None:
    """(width, height) of an image's bytes, for its ``aspectRatio``; None when unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height
    except (UnidentifiedImageError, OSError):
        return None


def parse_time(value: object) -> datetime | None:
    """A record's ``createdAt`` as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
