"""What each platform accepts in a post: text length, image count, formats, sizes.

The facts come from the project's platform reference (``platforms.md``):

========  ==============================  =============================================
platform  text                            images
========  ==============================  =============================================
x         280 weighted characters (1.5)   up to 4 photos, or 1 animated GIF (1.6);
                                          photo <= 5 MB, animated GIF <= 15 MB;
                                          JPG, PNG, GIF, WEBP (1.6)
facebook  63,206 characters (2.2)         photos < 4 MB; JPG, PNG, GIF, TIFF, HEIF,
                                          WebP (2.2); no per-post count given
========  ==============================  =============================================

Sizes are read in decimal megabytes (1 MB = 1,000,000 bytes), the stricter of
the two readings, so a file that passes here passes on the platform.
"""

from __future__ import annotations

from dataclasses import dataclass

MEGABYTE = 1_000_000


@dataclass(frozen=True)
class PlatformLimits:
    """One platform's rules for a post.

    ``max_text_chars`` counts Unicode code points (X uses its own weighted
    count instead, see :mod:`scheduler.content.text`); ``max_images`` is None
    when the platform documents no limit; ``max_image_bytes`` is inclusive
    when ``image_bytes_inclusive`` (X: "up to 5 MB") and exclusive otherwise
    (Facebook: "less than 4 MB"). ``image_formats`` are Pillow format names.
    ``source`` names the platforms.md section the limits come from, for
    developers: messages to the person writing posts never cite it.
    """

    platform: str
    display_name: str
    max_text_chars: int | None
    max_images: int | None
    max_image_bytes: int
    image_bytes_inclusive: bool
    image_formats: frozenset[str]
    max_animated_gif_bytes: int | None = None
    animated_gif_alone: bool = False
    source: str = ""

    def image_too_large(self, size_bytes: int) -> bool:
        """Whether a still image of ``size_bytes`` exceeds the platform's limit."""
        if self.image_bytes_inclusive:
            return size_bytes > self.max_image_bytes
        return size_bytes >= self.max_image_bytes

    def size_rule(self) -> str:
        """The size limit in words, for messages ("at most 5 MB")."""
        megabytes = self.max_image_bytes // MEGABYTE
        return f"at most {megabytes} MB" if self.image_bytes_inclusive else f"under {megabytes} MB"


X_LIMITS = PlatformLimits(
    platform="x",
    display_name="X",
    max_text_chars=None,
    max_images=4,
    max_image_bytes=5 * MEGABYTE,
    image_bytes_inclusive=True,
    image_formats=frozenset({"JPEG", "PNG", "GIF", "WEBP"}),
    max_animated_gif_bytes=15 * MEGABYTE,
    animated_gif_alone=True,
    source="platforms.md 1.6",
)

FACEBOOK_LIMITS = PlatformLimits(
    platform="facebook",
    display_name="Facebook",
    max_text_chars=63_206,
    max_images=None,
    max_image_bytes=4 * MEGABYTE,
    image_bytes_inclusive=False,
    image_formats=frozenset({"JPEG", "PNG", "GIF", "TIFF", "HEIF", "WEBP"}),
    source="platforms.md 2.2",
)

LIMITS: dict[str, PlatformLimits] = {"x": X_LIMITS, "facebook": FACEBOOK_LIMITS}

# Extensions of files that are video, so a misplaced video gets a clear message.
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".ts"})
