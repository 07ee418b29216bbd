"""Images from the campaign's media directory: the files and small thumbnails.

Only image files strictly inside the media directory are served; a path that
climbs out of it (``../config.yaml``), names anything else, or cannot be a
file name (a NUL byte, a name too long for the system) is not found.

Thumbnails cost memory and time, so they are bounded: each is made once per
file version however many requests ask for it together (the others wait for
the first and share its result), one at a time, and an image of more than
:data:`THUMBNAIL_MAX_PIXELS` pixels (a decompression bomb: a small file that
decodes to gigabytes) is refused with a message instead of being decoded.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from scheduler.files import media_problem

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
THUMBNAIL_PX = 96
# 8192 × 8192 is the largest image X is said to take (a third-party figure; docs.x.com
# gives none [platforms-2026.md, X media]): no campaign image needs more.
THUMBNAIL_MAX_PIXELS = 8192 * 8192
CACHED_THUMBNAILS = 256


class ImageRefused(Exception):
    """An image the dashboard will not preview; the message says why, for people."""


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    result: bytes | ImageRefused | None = None


class _Thumbnails:
    """Thumbnails by (path, modification time), made once each (single flight)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._making = threading.Lock()  # one decode at a time bounds memory
        self._done: OrderedDict[tuple[str, int], bytes | ImageRefused | None] = OrderedDict()
        self._pending: dict[tuple[str, int], _Pending] = {}
        self.made = 0

    def get(self, path: Path, version: int) -> bytes | ImageRefused | None:
        key = (str(path), version)
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            pending = self._pending.get(key)
            first = pending is None
            if pending is None:
                pending = self._pending[key] = _Pending()
        if not first:
            pending.done.wait()
            return pending.result
        try:
            with self._making:
                self.made += 1
                pending.result = _thumbnail(path)
        finally:
            with self._lock:
                self._done[key] = pending.result
                while len(self._done) > CACHED_THUMBNAILS:
                    self._done.popitem(last=False)
                del self._pending[key]
            pending.done.set()
        return pending.result


def _thumbnail(path: Path) -> bytes | ImageRefused | None:
    """A PNG at most 2 × :data:`THUMBNAIL_PX` on its longer side (sharp on HiDPI
    screens), the reason it is refused, or None for a file that is no image."""
    problem = media_problem(path)
    if problem is not None:
        return ImageRefused(f"This image {problem}.")
    try:
        with warnings.catch_warnings():
            # Pillow warns above 89 million pixels and fails above twice that; the
            # limit here is lower, and a warning must not turn into a traceback.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > THUMBNAIL_MAX_PIXELS:
                    return _too_large(width, height)
                image.thumbnail((THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
                output = io.BytesIO()
                image.convert("RGBA").save(output, format="PNG", optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ImageRefused("This image has more pixels than the dashboard previews.")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None  # not a readable image: shown as missing, never an error page
    return output.getvalue()


def _too_large(width: int, height: int) -> ImageRefused:
    side = int(THUMBNAIL_MAX_PIXELS**0.5)
    return ImageRefused(
        f"This image is {width} × {height} pixels; the dashboard previews images of at "
        f"most {side} × {side}. Export it smaller."
    )


class MediaDirectory:
    """The media directory of one campaign (``config.base_dir / media.directory``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._thumbnails = _Thumbnails()

    @property
    def thumbnails_made(self) -> int:
        """How many thumbnails were made (decoded) since start: for tests and benchmarks."""
        return self._thumbnails.made

    def find(self, relative: str) -> Path | None:
        """The image file at ``relative`` inside the directory, or None."""
        try:
            candidate = (self.directory / relative).resolve()
            if not candidate.is_relative_to(self.directory) or candidate == self.directory:
                return None
            if candidate.suffix.lower() not in IMAGE_SUFFIXES or not candidate.is_file():
                return None
        except (OSError, ValueError):  # a NUL byte, a name too long for the system
            return None
        return candidate

    def exists(self, relative: str) -> bool:
        """True when :meth:`find` would serve ``relative``."""
        return self.find(relative) is not None

    def thumbnail(self, relative: str) -> bytes | None:
        """The thumbnail PNG of ``relative``, or None when there is no such image.

        Cached per file and modification time, so a replaced logo shows at once.

        :raises ImageRefused: the image is too large to preview (the message says so).
        """
        path = self.find(relative)
        if path is None:
            return None
        try:
            version = path.stat().st_mtime_ns
        except OSError:
            return None
        result = self._thumbnails.get(path, version)
        if isinstance(result, ImageRefused):
            raise ImageRefused(str(result))
        return result
