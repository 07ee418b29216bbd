"""How X counts a post's text: its weighted length, up to 280.

X counts characters its own way (platforms.md 1.5): text is NFC-normalised,
code points outside a few ranges weigh 2, every URL counts 23 and an emoji
sequence counts 2; a post is valid up to 280. ``twitter_text.parse_tweet`` (the
``twitter-text-parser`` package, conformant with X's test suite) does the
counting; it takes about a millisecond per text, so :class:`XLengthCounter`
caches it per distinct text and skips it when a cheap upper bound already
proves the text fits (see ``_certainly_fits``).
"""

from __future__ import annotations

import re
import unicodedata

from scheduler.platforms.facts import TextRule

X_MAX_WEIGHTED_LENGTH = 280  # platforms.md 1.5 (maxWeightedTweetLength)
_URL_WEIGHT = 23  # platforms.md 1.5 (transformedURLLength)
# A URL twitter-text recognises has a domain with a dot followed by its TLD.
_DOT_BEFORE_WORD = re.compile(r"\.\w")
# Characters twitter-text rejects outright (regexp/invalid_chars_group.py).
_INVALID_CHARACTERS = ("\ufffe", "\ufeff", "\uffff")


class XTextRule(TextRule):
    """X's weighted length (platforms.md 1.5); one per check run, caching its counts."""

    unit = "weighted"
    limit = X_MAX_WEIGHTED_LENGTH
    link_length = _URL_WEIGHT
    source = "platforms.md 1.5"

    def __init__(self) -> None:
        self._counter = XLengthCounter()

    def length(self, text: str) -> int:
        return XLengthCounter.weighted_length(text)

    def overflow(self, text: str) -> int | None:
        """None when X takes ``text``; else its weighted length (which is the
        length for an empty text or one with characters X rejects, possibly 0)."""
        return self._counter.overflow(text)

    def too_long(self, length: int, has_link: bool) -> tuple[str, str]:
        with_link = ", the link included" if has_link else ""
        excess = max(length - X_MAX_WEIGHTED_LENGTH, 1)
        return (
            f"X counts {length} characters{with_link}; a post on X may have at most "
            f"{X_MAX_WEIGHTED_LENGTH}",
            f"shorten it by {excess} character{'' if excess == 1 else 's'} (X "
            "counts every link as 23 characters, and an emoji or a Chinese, Japanese or "
            "Korean character as 2), or add a shorter `variants: x:` text",
        )


class XLengthCounter:
    """X's weighted length of texts, computed once per distinct text.

    ``overflow(text)`` is None when X accepts the text, otherwise its weighted
    length (an empty text or one with characters X rejects gives its length
    too, possibly 0). One counter lives for one check run.
    """

    def __init__(self) -> None:
        self._cache: dict[str, int | None] = {}

    def overflow(self, text: str) -> int | None:
        """None when ``text`` is valid on X; else its weighted length."""
        try:
            return self._cache[text]
        except KeyError:
            pass
        result: int | None = None
        if not _certainly_fits(text):
            from twitter_text import parse_tweet  # compiling its patterns takes ~0.4 s

            parsed = parse_tweet(text)
            result = None if parsed.valid else int(parsed.weightedLength)
        self._cache[text] = result
        return result

    @staticmethod
    def weighted_length(text: str) -> int:
        """X's weighted length of ``text`` (uncached; for messages and tests)."""
        from twitter_text import parse_tweet

        return int(parse_tweet(text).weightedLength)


def _certainly_fits(text: str) -> bool:
    """A cheap proof that X accepts ``text``; False means "count it properly".

    Upper bound on the weighted length of an NFC-normalised text: every URL
    weighs 23; outside URLs, an ASCII character weighs 1 and takes 1 UTF-8
    byte, any other code point weighs at most 2 and takes at least 2 bytes,
    and an emoji sequence weighs 2, no more than its bytes. So the weight is
    at most 23 per URL plus the UTF-8 bytes of the rest. URLs are found by
    twitter-text's own extractor (a fraction of ``parse_tweet``'s cost, which
    goes mostly to emoji matching), and only when a ``.`` precedes a word
    character, as every domain needs. Texts that normalisation could change
    (not NFC, or holding a carriage return) take the slow path, as do empty
    ones and those with characters X rejects.
    """
    if not text.strip() or "\r" in text or any(bad in text for bad in _INVALID_CHARACTERS):
        return False
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        return False
    weight = len(text.encode("utf-8"))
    if _DOT_BEFORE_WORD.search(text) is not None:
        from twitter_text import extract_urls_with_indices

        for entity in extract_urls_with_indices(text):
            weight += _URL_WEIGHT - len(entity["url"].encode("utf-8"))
    return weight <= X_MAX_WEIGHTED_LENGTH


def has_url(text: str) -> bool:
    """Whether ``text`` carries a link as twitter-text finds them: what X bills
    a post "with URL" by (platforms-2026.md 3). A text with no ``.`` before a
    word character holds no domain, so it skips the extractor."""
    if _DOT_BEFORE_WORD.search(text) is None:
        return False
    from twitter_text import extract_urls

    return bool(extract_urls(text))
