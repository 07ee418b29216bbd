"""Opening image files: what format they really are, how big, whether animated.

A file's extension says nothing reliable; Pillow reads the header and
``verify()`` reads the whole file, so a renamed PDF or a truncated PNG is
caught here rather than by the platform at publishing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from scheduler.files import media_problem


@dataclass(frozen=True)
class ImageInfo:
    """What opening a file found: Pillow's ``format`` name, ``size_bytes``, whether it is an
    animated GIF; ``error`` says why it is not a usable image (then ``format`` is None)."""

    size_bytes: int = 0
    format: str | None = None
    animated: bool = False
    error: str | None = None


class ImageInspector:
    """Opens each image file once; answers from memory afterwards."""

    def __init__(self) -> None:
        self._cache: dict[Path, ImageInfo] = {}

    def inspect(self, path: Path) -> ImageInfo:
        """Format, size and animation of the image at ``path`` (never raises)."""
        info = self._cache.get(path)
        if info is None:
            info = _open(path)
            self._cache[path] = info
        return info


def _open(path: Path) -> ImageInfo:
    problem = media_problem(path)  # a FIFO would block Pillow; /dev/zero never ends
    if problem is not None:
        return ImageInfo(error=problem)
    size = path.stat().st_size
    try:
        with Image.open(path) as image:
            image_format = image.format
            animated = bool(getattr(image, "is_animated", False))
            image.verify()  # reads the whole file: a truncated or corrupt image fails here
    except Image.DecompressionBombError:
        return ImageInfo(size_bytes=size, error="has too many pixels to be a post image")
    except UnidentifiedImageError:
        return ImageInfo(size_bytes=size, error="is not an image Pillow can read")
    except (OSError, SyntaxError, ValueError) as error:
        return ImageInfo(size_bytes=size, error=f"is damaged ({error})")
    return ImageInfo(size_bytes=size, format=image_format, animated=animated)
