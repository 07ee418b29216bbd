"""A post's length as each platform counts it, from the content checks' rules.

X: weighted characters (URLs 23, emoji and CJK 2), at most 280
[platforms.md 1.5]; Facebook: characters, at most 63,206 [platforms.md 2.2].
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.content.limits import LIMITS
from scheduler.content.text import X_MAX_WEIGHTED_LENGTH, XLengthCounter


@dataclass(frozen=True)
class TextLength:
    """``value`` out of ``limit`` (None: no documented limit), in ``unit``."""

    value: int
    limit: int | None
    unit: str

    @property
    def valid(self) -> bool:
        return self.value > 0 and (self.limit is None or self.value <= self.limit)


def measure(platform: str, text: str) -> TextLength:
    """The length of ``text`` as ``platform`` (``x``, ``facebook``) counts it."""
    if platform == "x":
        return TextLength(XLengthCounter.weighted_length(text), X_MAX_WEIGHTED_LENGTH, "weighted")
    limits = LIMITS.get(platform)
    return TextLength(len(text), limits.max_text_chars if limits else None, "characters")
