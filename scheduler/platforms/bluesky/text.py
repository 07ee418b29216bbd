"""How Bluesky counts a post's text: graphemes up to 300, and UTF-8 bytes up to 3,000.

The ``app.bsky.feed.post`` lexicon gives ``text`` ``maxGraphemes: 300`` and
``maxLength: 3000``, where a lexicon string's length is its UTF-8 bytes
[platforms-2026.md 5.3]. A grapheme is a Unicode extended grapheme cluster
(what a reader sees as one character: ``é`` written as ``e`` and a combining
accent, a flag, a family emoji); links count as written, since Bluesky shows
them whole. The ``regex`` module's ``\\X`` segments by the current Unicode rules.
"""

from __future__ import annotations

import regex

from scheduler.platforms.facts import TextRule

MAX_GRAPHEMES = 300  # platforms-2026.md 5.3 (app.bsky.feed.post text maxGraphemes)
MAX_BYTES = 3000  # platforms-2026.md 5.3 (app.bsky.feed.post text maxLength, UTF-8 bytes)
SOURCE = "platforms-2026.md 5.3"
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """The number of extended grapheme clusters in ``text``."""
    if text.isascii() and "\r" not in text:
        return len(text)  # one ASCII character is one grapheme, except CR LF
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf8_length(text: str) -> int:
    """``text``'s length in UTF-8 bytes, as lexicon strings count."""
    return len(text.encode("utf-8"))


class BlueskyTextRule(TextRule):
    """Graphemes up to 300, and at most 3,000 UTF-8 bytes (a text of few
    graphemes may still be too many bytes: long emoji sequences)."""

    unit = "graphemes"
    limit = MAX_GRAPHEMES
    link_length = None
    source = SOURCE

    def length(self, text: str) -> int:
        return graphemes(text)

    def overflow(self, text: str) -> int | None:
        """None when Bluesky takes ``text``; else its grapheme count (or, for a
        text within 300 graphemes but over 3,000 bytes, its bytes)."""
        count = graphemes(text)
        if count > MAX_GRAPHEMES:
            return count
        size = utf8_length(text)
        return size if size > MAX_BYTES else None

    def too_long(self, length: int, has_link: bool) -> tuple[str, str]:
        with_link = ", the link included" if has_link else ""
        if length > MAX_BYTES:
            return (
                f"the text takes {length} bytes; a post on Bluesky may take at most "
                f"{MAX_BYTES} (emoji and accented letters take several each)",
                "shorten it, or use fewer emoji, or add a shorter `variants: bluesky:` text",
            )
        excess = length - MAX_GRAPHEMES
        return (
            f"Bluesky counts {length} characters{with_link}; a post on Bluesky may have "
            f"at most {MAX_GRAPHEMES}",
            f"shorten it by {excess} character{'' if excess == 1 else 's'} (Bluesky counts "
            "each link as written, and an emoji or an accented letter as one), or add a "
            "shorter `variants: bluesky:` text",
        )
