"""Whether a platform takes a post's images, by the rules its profile states
(:meth:`~scheduler.platforms.profile.PlatformProfile.media_rules`).

Each image is opened once per check run
(:class:`~scheduler.content.images.ImageInspector`), so ten thousand posts
sharing fifteen logos cost fifteen image reads. The checks: how many images,
the real format (not the extension), the file size, the pixel dimensions, an
animated GIF's frames and size, an EXIF orientation the platform would drop
(a phone photo shown sideways), and a note on transparency where the
platform's clients show it badly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Protocol

from scheduler.content.images import ImageInfo, ImageInspector
from scheduler.content.problems import one_of
from scheduler.platforms.facts import MEGABYTE, MediaRules

Severity = Literal["error", "warning", "note"]
# (index in the post's images, severity, rule, message, fix)
ImageIssue = tuple[int, Severity, str, str, str]


class Located(Protocol):
    """What the checks need of the media resolver: the file behind a media path."""

    def absolute(self, relative: str) -> Path: ...


def platform_media_issues(
    paths: tuple[str, ...],
    limits: MediaRules,
    name: str,
    inspector: ImageInspector,
    resolver: Located,
) -> list[ImageIssue]:
    """Problems with ``paths`` (relative to the media folder) on one platform
    (``name``, as messages say it, whose rules are ``limits``)."""
    issues: list[ImageIssue] = []
    if limits.max_images is not None and len(paths) > limits.max_images:
        issues.append(
            (
                len(paths) - 1,
                "error",
                "media-count",
                f"{len(paths)} images, but {name} takes at most {limits.max_images} per post",
                f"keep at most {limits.max_images} images (the logo counts)",
            )
        )
    for index, relative in enumerate(paths):
        path = resolver.absolute(relative)
        info = inspector.inspect(path)
        accepted = one_of(sorted(limits.image_formats))
        if info.error is not None:
            if os.path.exists(path):
                fix = f"replace it with an image in a format {name} takes: {accepted}"
                issues.append((index, "error", "media-format", f"{relative} {info.error}", fix))
            continue
        if info.format not in limits.image_formats:
            issues.append(
                (
                    index,
                    "error",
                    "media-format",
                    f"{relative} is in {info.format} format, which {name} does not take: "
                    f"{name} takes {accepted}",
                    f"export it as {_best_format(limits)} and point media.graphics in "
                    "config.yaml at the new file",
                )
            )
            continue
        issues.extend(_size_issues(index, relative, info, len(paths), limits, name))
        issues.extend(_pixel_issues(index, relative, info, limits, name))
    return issues


def _best_format(limits: MediaRules) -> str:
    """The format to suggest converting to: PNG for graphics, else the first accepted."""
    return "PNG" if "PNG" in limits.image_formats else sorted(limits.image_formats)[0]


def _size_issues(
    index: int, relative: str, info: ImageInfo, count: int, limits: MediaRules, name: str
) -> list[ImageIssue]:
    size_mb = f"{info.size_bytes / MEGABYTE:.1f} MB"
    if info.animated and info.format == "GIF" and limits.max_animated_gif_bytes is not None:
        issues: list[ImageIssue] = []
        if limits.animated_gif_alone and count > 1:
            issues.append(
                (
                    index,
                    "error",
                    "media-count",
                    f"{relative} is an animated GIF; {name} takes one animated GIF alone, "
                    "not with other images",
                    "post the animated GIF without other images, or use a still image",
                )
            )
        if info.size_bytes > limits.max_animated_gif_bytes:
            most = limits.max_animated_gif_bytes // MEGABYTE
            issues.append(
                (
                    index,
                    "error",
                    "media-size",
                    f"{relative} is {size_mb}; {name} takes animated GIFs up to {most} MB",
                    "make the GIF shorter or smaller",
                )
            )
        return issues + _gif_issues(index, relative, info, limits, name)
    if limits.image_too_large(info.size_bytes):
        return [
            (
                index,
                "error",
                "media-size",
                f"{relative} is {size_mb}; {name} takes images {limits.size_rule()}",
                "export it smaller (fewer pixels, or JPG at quality 85)",
            )
        ]
    return []


def _gif_issues(
    index: int, relative: str, info: ImageInfo, limits: MediaRules, name: str
) -> list[ImageIssue]:
    issues: list[ImageIssue] = []
    shrink = f"ffmpeg -i {relative} -vf fps=15,scale=640:-1 smaller.gif"
    if limits.max_gif_frames is not None and info.frames > limits.max_gif_frames:
        issues.append(
            (
                index,
                "error",
                "media-gif",
                f"{relative} has {info.frames} frames; {name} takes animated GIFs of at most "
                f"{limits.max_gif_frames}",
                f"cut it shorter or drop frames, e.g. `{shrink}`",
            )
        )
    total = info.width * info.height * info.frames
    if limits.max_gif_total_pixels is not None and total > limits.max_gif_total_pixels:
        issues.append(
            (
                index,
                "error",
                "media-gif",
                f"{relative} has {total:,} pixels over all its frames "
                f"({info.width}x{info.height} x {info.frames}); {name} takes at most "
                f"{limits.max_gif_total_pixels:,}",
                f"make it smaller or shorter, e.g. `{shrink}`",
            )
        )
    most = limits.max_gif_pixels
    if most is not None and (info.width > most[0] or info.height > most[1]):
        issues.append(
            (
                index,
                "warning",
                "media-gif",
                f"{relative} is {info.width}x{info.height} pixels; {name} recommends animated "
                f"GIFs of at most {most[0]}x{most[1]}",
                f"scale it down, e.g. `{shrink}`",
            )
        )
    return issues


def _pixel_issues(
    index: int, relative: str, info: ImageInfo, limits: MediaRules, name: str
) -> list[ImageIssue]:
    issues: list[ImageIssue] = []
    size = f"{info.width}x{info.height} pixels"
    most, least = limits.max_image_pixels, limits.min_image_pixels
    if most is not None and info.width and (info.width > most[0] or info.height > most[1]):
        issues.append(
            (
                index,
                "error",
                "media-pixels",
                f"{relative} is {size}; {name} takes images of at most {most[0]}x{most[1]}",
                f"resize it to fit within {most[0]}x{most[1]} (keeping its proportions), e.g. "
                f"`magick {relative} -resize {most[0]}x{most[1]} resized.png`",
            )
        )
    if least is not None and info.width and (info.width < least[0] or info.height < least[1]):
        issues.append(
            (
                index,
                "error",
                "media-pixels",
                f"{relative} is {size}; {name} takes images of at least {least[0]}x{least[1]}",
                "use a larger image",
            )
        )
    if info.orientation != 1 and not limits.keeps_exif_orientation:
        issues.append(
            (
                index,
                "warning",
                "media-orientation",
                f"{relative} is stored turned or mirrored and relies on its EXIF orientation "
                f"({info.orientation}), which {name} drops: it would show sideways or mirrored",
                f"save it upright, e.g. `magick {relative} -auto-orient upright.jpg`",
            )
        )
    if info.transparent and limits.transparency_note is not None:
        issues.append(
            (
                index,
                "note",
                "media-transparency",
                f"{relative} has transparent parts; {limits.transparency_note}",
                "give it a solid background if it must look the same everywhere",
            )
        )
    return issues
