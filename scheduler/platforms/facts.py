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
class VideoRules:
    """What a platform accepts as a post's video.

    ``containers`` are file formats as PyAV names them (``mp4``/``mov`` share
    ``mov,mp4,m4a,3gp,3g2,mj2``, so the names are the extensions the platform
    lists); ``video_codecs`` and ``audio_codecs`` are FFmpeg codec names
    (``h264``, ``aac``); durations in seconds; ``max_fps`` frames per second;
    ``pixel_formats`` FFmpeg pixel formats (``yuv420p``: 8-bit 4:2:0);
    ``needs_audio``: a video without an audio track is refused; ``takes_title``:
    the platform shows a title; ``takes_alt_text``: it takes a video's alt text.
    Any limit None is undocumented.
    """

    max_bytes: int
    extensions: frozenset[str]
    video_codecs: frozenset[str] | None = None
    audio_codecs: frozenset[str] | None = None
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    min_pixels: tuple[int, int] | None = None
    max_pixels: tuple[int, int] | None = None
    max_fps: float | None = None
    pixel_formats: frozenset[str] | None = None
    needs_audio: bool = False
    takes_title: bool = False
    takes_alt_text: bool = False


@dataclass(frozen=True)
class MediaRules:
    """What a platform accepts as a post's media.

    ``max_images`` is None when the platform documents no limit;
    ``max_image_bytes`` is inclusive when ``image_bytes_inclusive`` ("up to
    5 MB") and exclusive otherwise ("less than 4 MB"); ``image_formats`` are
    Pillow format names; ``max_image_pixels`` is (width, height) or None when
    undocumented (``min_image_pixels`` likewise); ``animated_gif_alone``: an
    animated GIF goes alone; ``max_gif_frames``, ``max_gif_total_pixels``
    (width x height x frames) and ``max_gif_pixels`` (width, height) bound an
    animated GIF; ``images_and_video_mix``: None when undocumented;
    ``alt_text_max_chars``: None when undocumented; ``keeps_exif_orientation``:
    False when the platform strips EXIF, so a photo relying on its orientation
    tag shows sideways; ``transparency_note``: what the platform does with
    transparent pixels, when people should know; ``media_id_lifetime_s``: how long
    an uploaded media id stays usable (None: undocumented). ``video`` holds the video
    limits (None: the platform takes no video here). ``sources`` maps each
    field stated to the section of the platform reference it comes from.
    """

    max_images: int | None
    max_image_bytes: int
    image_bytes_inclusive: bool
    image_formats: frozenset[str]
    max_animated_gif_bytes: int | None = None
    animated_gif_alone: bool = False
    max_image_pixels: tuple[int, int] | None = None
    min_image_pixels: tuple[int, int] | None = None
    max_gif_frames: int | None = None
    max_gif_total_pixels: int | None = None
    max_gif_pixels: tuple[int, int] | None = None
    max_video_bytes: int | None = None
    images_and_video_mix: bool | None = None
    alt_text_max_chars: int | None = None
    keeps_exif_orientation: bool = False
    transparency_note: str | None = None
    media_id_lifetime_s: float | None = None
    video: VideoRules | None = None
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
