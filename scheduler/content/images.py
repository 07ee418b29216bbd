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

# Formats Pillow does not open, told by their first bytes: (offset, signature, name).
# HEIF/HEIC and AVIF are ISO-BMFF files whose "ftyp" box names a brand.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF", "PDF"),
    (0, b"8BPS", "PSD (Photoshop)"),
    (0, b"\xff\x0a", "JPEG XL"),
    (0, b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (0, b"<svg", "SVG"),
    (0, b"<?xml", "SVG"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")
_AVIF_BRANDS = (b"avif", b"avis")


def sniff_format(head: bytes) -> str | None:
    """The format the first bytes of a file announce, for the formats Pillow cannot
    open (HEIF, AVIF, PDF, PSD, SVG, JPEG XL); None when unknown."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIF"
        if brand in _AVIF_BRANDS:
            return "AVIF"
    stripped = head.lstrip()
    for offset, signature, name in _SIGNATURES:
        if stripped[offset : offset + len(signature)] == signature:
            return name
    return None


@dataclass(frozen=True)
class ImageInfo:
    """What opening a file found: Pillow's ``format`` name (or the name its first bytes
    announce, for HEIF, AVIF, PDF, PSD, SVG and JPEG XL, which Pillow cannot open),
    ``size_bytes``, whether it is an animated GIF; ``error`` says why it is not a usable
    image (then ``format`` is None). ``width`` and ``height`` are in pixels as stored
    (0 when unknown), ``frames`` the number of frames, ``orientation`` the EXIF
    orientation tag (1 = upright; 2 to 8: viewers turn or mirror the picture, which
    a platform that strips EXIF does not), ``transparent`` whether it has an alpha
    channel or a transparent colour."""

    size_bytes: int = 0
    format: str | None = None
    animated: bool = False
    error: str | None = None
    width: int = 0
    height: int = 0
    frames: int = 1
    orientation: int = 1
    transparent: bool = False


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
            width, height = image.size
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image.verify()  # reads the whole file: a truncated or corrupt image fails here
        with Image.open(path) as image:  # verify() leaves the image unusable: open again
            frames = int(getattr(image, "n_frames", 1))
            orientation = _orientation(image)
    except Image.DecompressionBombError:
        return ImageInfo(size_bytes=size, error="has too many pixels to be a post image")
    except UnidentifiedImageError:
        try:
            with path.open("rb") as file:
                head = file.read(64)
        except OSError:
            head = b""
        sniffed = sniff_format(head)
        if sniffed is not None:
            # Known, just not openable here: the platform rules decide whether it goes.
            return ImageInfo(size_bytes=size, format=sniffed)
        return ImageInfo(size_bytes=size, error="is not an image in any format this program knows")
    except (OSError, SyntaxError, ValueError) as error:
        return ImageInfo(size_bytes=size, error=f"is damaged ({error})")
    return ImageInfo(
        size_bytes=size,
        format=image_format,
        animated=animated,
        width=width,
        height=height,
        frames=frames,
        orientation=orientation,
        transparent=transparent,
    )


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (0x0112), 1 when absent or unreadable."""
    try:
        value = image.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):  # a damaged EXIF block: verify() decides
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1
