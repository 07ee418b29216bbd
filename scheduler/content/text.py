"""Post text: the final text per platform, the hashtag, duplicates.

How long a text is on a platform is the platform profile's business
(:meth:`~scheduler.platforms.profile.PlatformProfile.text_rule`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")


def final_text(text: str, link: str | None) -> str:
    """The exact text to publish: ``text`` with ``link`` on a line of its own, in
    Unicode NFC whatever form the file used (an editor may save "é" as "e" and a
    combining accent: the same words, which must store, hash and send the same).

    The link is appended after a blank line unless the text already contains it.
    """
    body = unicodedata.normalize("NFC", text.strip())
    link = unicodedata.normalize("NFC", link) if link else link
    if link and link not in body:
        return f"{body}\n\n{link}"
    return body


def duplicate_key(text: str) -> str:
    """The form in which two texts count as the same for a platform that refuses
    repeated text (``refuses_repeated_text`` in its profile).

    Such a platform refuses a text identical to a recent post of the same
    account without saying how it compares (platforms.md 1.4), so this errs
    towards "identical": NFC, case-folded, runs of whitespace collapsed.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


@dataclass(frozen=True)
class HashtagFinding:
    """What is wrong with the hashtag in a text: ``kind`` is ``missing`` or ``casing``."""

    kind: str
    found: str = ""


def check_hashtag(text: str, hashtag: str) -> HashtagFinding | None:
    """None when ``text`` carries ``hashtag`` exactly (as a whole hashtag).

    A hashtag written with other casing (``#stopclusterbombsnow``) is a
    finding of kind ``casing`` with what was found; no hashtag is ``missing``.
    """
    pattern = hashtag_pattern(hashtag)
    found = None
    for match in pattern.finditer(text):
        if match.group(0) == hashtag:
            return None
        found = found or match.group(0)
    if found is not None:
        return HashtagFinding("casing", found)
    return HashtagFinding("missing")


_HASHTAG_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def hashtag_pattern(hashtag: str, *, any_case: bool = True) -> re.Pattern[str]:
    """A pattern matching ``hashtag`` as a whole hashtag (not inside a longer one),
    in any casing unless ``any_case`` is False."""
    pattern = _HASHTAG_PATTERNS.get((hashtag, any_case))
    if pattern is None:
        flags = re.IGNORECASE if any_case else 0
        pattern = re.compile(r"(?<![\w#])" + re.escape(hashtag) + r"(?!\w)", flags)
        _HASHTAG_PATTERNS[(hashtag, any_case)] = pattern
    return pattern
