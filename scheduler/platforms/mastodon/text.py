"""How Mastodon counts a post's text: characters as people see them, every link
as a fixed number.

A Mastodon server counts the text with its content warning, after replacing
every ``http(s)://`` link by ``characters_reserved_per_url`` characters and
every remote mention ``@user@server`` by ``@user``, in grapheme clusters (what
a reader sees as one character) [platforms-2026.md 6.3; mastodon
``StatusLengthValidator``]. Both numbers come from the server's
``/api/v2/instance`` and reach this rule through the settings.

Grapheme clusters without a Unicode segmentation library: after NFC,
combining marks, joiners, variation selectors and skin-tone modifiers join the
character before them, a character after a zero-width joiner joins its
sequence, and two regional indicators make one flag. That is the clustering of
every text a campaign writes (accented Latin, emoji); where it differs from
full segmentation it counts more, never less, so the check errs on the side of
a shorter post.
"""

from __future__ import annotations

import re
import unicodedata

from scheduler.platforms.facts import TextRule

LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'}]")
REMOTE_MENTION = re.compile(r"(?<![\w@])(@\w+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ZWJ = "\u200d"
_JOINING_CATEGORIES = frozenset({"Mn", "Me", "Mc"})


def _extends(character: str) -> bool:
    code = ord(character)
    return (
        unicodedata.category(character) in _JOINING_CATEGORIES
        or character == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


def graphemes(text: str) -> int:
    """The number of characters a reader sees in ``text`` (see the module docstring)."""
    count = 0
    previous = ""
    regional_open = False
    for character in unicodedata.normalize("NFC", text):
        regional = 0x1F1E6 <= ord(character) <= 0x1F1FF
        if _extends(character) or previous == _ZWJ or (regional and regional_open):
            regional_open = False
        else:
            count += 1
            regional_open = regional
        previous = character
    return count


def countable(text: str, characters_per_link: int) -> str:
    """``text`` as the server counts it: links as ``characters_per_link`` x's,
    remote mentions as their local part."""
    text = LINK.sub("x" * characters_per_link, text)
    return REMOTE_MENTION.sub(r"\1", text)


class MastodonTextRule(TextRule):
    """Mastodon's count for one server's limits (``max_characters``,
    ``characters_reserved_per_url``, from the settings)."""

    def __init__(self, max_characters: int, characters_per_link: int) -> None:
        self.limit = max_characters
        self.link_length = characters_per_link
        self.source = "platforms-2026.md 6.3 (/api/v2/instance configuration.statuses)"

    def length(self, text: str) -> int:
        return graphemes(countable(text, self.link_length or 0))

    def too_long(self, length: int, has_link: bool) -> tuple[str, str]:
        excess = length - (self.limit or 0)
        links = f" (every link counts as {self.link_length})" if has_link else ""
        return (
            f"Mastodon counts {length} characters{links}; the server takes at most {self.limit}",
            f"shorten it by {excess} character{'' if excess == 1 else 's'}, or add a shorter "
            "`variants: mastodon:` text (if your server takes more, set "
            "platforms.mastodon.max_characters)",
        )
