"""Images from the campaign's media directory: the files and small thumbnails.

Only image files strictly inside the media directory are served; a path that
climbs out of it (``../config.yaml``) or names anything else is not found.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
THUMBNAIL_PX = 96


class MediaDirectory:
    """The media directory of one campaign (``config.base_dir / media.directory``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()

    def find(self, relative: str) -> Path | None:
        """The image file at ``relative`` inside the directory, or None."""
        candidate = (self.directory / relative).resolve()
        if not candidate.is_relative_to(self.directory) or candidate == self.directory:
            return None
        if candidate.suffix.lower() not in IMAGE_SUFFIXES or not candidate.is_file():
            return None
        return candidate

    def exists(self, relative: str) -> bool:
        """True when :meth:`find` would serve ``relative``."""
        return self.find(relative) is not None

    def thumbnail(self, relative: str) -> bytes | None:
        """A PNG at most :data:`THUMBNAIL_PX` pixels on its longer side, or None.

        Cached per file and modification time, so a replaced logo shows at once.
        """
        path = self.find(relative)
        if path is None:
            return None
        return _thumbnail(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _thumbnail(path: str, _mtime_ns: int) -> bytes | None:
    try:
        with Image.open(path) as image:
            image.thumbnail((THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))  # 2x for sharp HiDPI screens
            output = io.BytesIO()
            image.convert("RGBA").save(output, format="PNG", optimize=True)
    except (OSError, ValueError):
        return None  # not a readable image: shown as missing, never an error page
    return output.getvalue()
