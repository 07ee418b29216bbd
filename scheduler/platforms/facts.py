"""The facts a platform profile states: text counting, media rules, rate limits,
prices and credential fields, as small frozen values.

Each value says where its numbers come from (``source``: a section of the
project's platform reference, ``platforms.md`` or ``platforms-2026.md``), for
developers; the messages shown to the person writing posts never cite it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

MEGABYTE = 1_000_000


@dataclass(frozen=True)
class TextLength:
    """``value`` out of ``limit`` (None: no documented limit), in ``unit``
    (``weighted``, ``characters``, later ``graphemes``)."""

    value: int
    limit: int | None
    unit: str

    @property
    def valid(self) -> bool:
        return self.value > 0 and (self.limit is None or self.value <= self.limit)


class TextRule(ABC):
    """How a platform counts a post's text, and how long it may be.

    One rule serves one campaign (a platform whose limit depends on its server
    builds it from its settings). ``link_length`` is what one link counts
    (None: as written). Texts are the final texts, link included.
    """

    unit: str = "characters"
    limit: int | None = None
    link_length: int | None = None
    source: str = ""

    @abstractmethod
    def length(self, text: str) -> int:
        """``text``'s length as the platform counts it, in ``unit``."""

    def measure(self, text: str) -> TextLength:
        """``text``'s length with the limit and unit, for display."""
        return TextLength(self.length(text), self.limit, self.unit)

    def overflow(self, text: str) -> int | None:
        """None when the platform takes ``text``; else its length (the check's
        question, asked for every post: a rule may answer it faster than
        :meth:`length`)."""
        length = self.length(text)
        return None if self.limit is None or length <= self.limit else length

    @abstractmethod
    def too_long(self, length: int, has_link: bool) -> tuple[str, str]:
        """The message and the fix for a text of ``length`` the platform refuses,
        in plain words for the person writing posts."""


class CharacterCount(TextRule):
    """Code points, every link as written: ``limit`` at most (``name`` is the
    platform's display name, for messages)."""

    def __init__(self, limit: int, name: str, source: str) -> None:
        self.limit = limit
        self.name = name
        self.source = source

    def length(self, text: str) -> int:
        return len(text)

    def too_long(self, length: int, has_link: bool) -> tuple[str, str]:
        excess = length - (self.limit or 0)
        return (
            f"the text has {length} characters; {self.name} takes at most {self.limit}",
            f"shorten it by {excess} character" + ("" if excess == 1 else "s"),
        )


@dataclass(frozen=True)
class MediaRules:
    """What a platform accepts as a post's media.

    ``max_images`` is None when the platform documents no limit;
    ``max_image_bytes`` is inclusive when ``image_bytes_inclusive`` ("up to
    5 MB") and exclusive otherwise ("less than 4 MB"); ``image_formats`` are
    Pillow format names; ``max_image_pixels`` is (width, height) or None when
    undocumented; ``animated_gif_alone``: an animated GIF goes alone;
    ``images_and_video_mix``: None when undocumented; ``alt_text_max_chars``:
    None when undocumented. ``sources`` maps each field stated to the section
    of the platform reference it comes from.
    """

    max_images: int | None
    max_image_bytes: int
    image_bytes_inclusive: bool
    image_formats: frozenset[str]
    max_animated_gif_bytes: int | None = None
    animated_gif_alone: bool = False
    max_image_pixels: tuple[int, int] | None = None
    max_video_bytes: int | None = None
    images_and_video_mix: bool | None = None
    alt_text_max_chars: int | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def image_too_large(self, size_bytes: int) -> bool:
        """Whether a still image of ``size_bytes`` exceeds the platform's limit."""
        if self.image_bytes_inclusive:
            return size_bytes > self.max_image_bytes
        return size_bytes >= self.max_image_bytes

    def size_rule(self) -> str:
        """The size limit in words, for messages ("at most 5 MB")."""
        megabytes = self.max_image_bytes // MEGABYTE
        return f"at most {megabytes} MB" if self.image_bytes_inclusive else f"under {megabytes} MB"


@dataclass(frozen=True)
class RateLimit:
    """``limit`` calls of ``what`` per ``period``; ``source`` as above."""

    what: str
    limit: int
    period: timedelta
    source: str


@dataclass(frozen=True)
class RateLimits:
    """A platform's rate limits and caps, and how it says when they reset.

    ``reset_info`` says where the reset time arrives (headers, body);
    ``default_wait`` is how long to wait when a refusal carries none.
    """

    limits: tuple[RateLimit, ...]
    reset_info: str
    default_wait: timedelta


@dataclass(frozen=True)
class Price:
    """What the platform bills for one ``operation`` (a settings name, such as
    ``post_create``): ``usd`` US dollars per ``per`` (``request``, ``post read``).
    ``what`` is the row's name on the platform's rate card."""

    operation: str
    what: str
    usd: float
    per: str
    source: str


@dataclass(frozen=True)
class CredentialField:
    """One credential an account names in config.yaml (``credentials:``), by the
    environment variable that holds it; ``purpose`` says what it is, in words."""

    name: str
    required: bool
    purpose: str


class TokenGrant(Protocol):
    """A platform's token endpoint for one app: ``refresh`` trades a refresh token
    for a new pair (with ``access_token``, ``refresh_token``,
    ``access_expires_at``), dated from ``now`` (aware UTC); raises AuthFailed
    when the refresh token is refused, TransientError when there was no answer."""

    def refresh(self, refresh_token: str, *, now: datetime) -> Any: ...


@dataclass(frozen=True)
class TokenRenewal:
    """How an account's short-lived access token is renewed: through ``grant``,
    ``margin_s`` wall seconds before it expires."""

    grant: TokenGrant
    margin_s: float
