"""A status's text: how the publisher composes it, and how it reads one back.

A server stores the text it was sent and shows it as HTML: paragraphs, line
breaks, links and hashtags as anchors, entities escaped [platforms-2026.md
6.1]. Reconciliation compares what it reads back with what it sent once both
are reduced to what survives that rendering.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime

from scheduler.platforms.mastodon.text import LINK

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)


def compose_text(text: str, link: str | None) -> str:
    """The status text: ``link`` on its own line unless the text already has it."""
    return f"{text}\n{link}" if link and link not in text else text


def normalise(text: str) -> str:
    """A status's text (HTML or plain) reduced to what survives the server's
    rendering: markup and links dropped, entities unescaped, NFC, spaces collapsed."""
    plain = html.unescape(_TAG.sub("", _BREAK.sub(" ", text)))
    plain = LINK.sub(" ", unicodedata.normalize("NFC", plain))
    return " ".join(plain.split())


def aware(value: object) -> datetime | None:
    """A status time as aware UTC (Mastodon.py parses them; a string is read too)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
