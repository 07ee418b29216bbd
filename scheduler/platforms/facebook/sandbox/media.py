"""What the Graph stand-in reads from a request: parameters, uploaded files, images.

facebook-sdk sends ``application/x-www-form-urlencoded`` bodies for
``put_object`` and ``multipart/form-data`` (file part ``source``, every other
argument a text part) for ``put_photo``; ``access_token`` travels in the body,
or in the query string for GETs [platforms.md 0.2]. The real API takes
parameters from either place, so :func:`read_parameters` merges them, the body
winning.

Images are checked the way Facebook checks them: "Photos should be less than
4 MB and saved as JPG, PNG, GIF, TIFF, HEIF or WebP files" [platforms.md 2.2].
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from email.parser import HeaderParser
from urllib.parse import parse_qs

from PIL import Image, UnidentifiedImageError

from scheduler.platforms.facebook.media_limits import FACEBOOK_MEDIA
from scheduler.platforms.sandbox_server import Request

MAX_PHOTO_BYTES = FACEBOOK_MEDIA.max_image_bytes  # "less than 4 MB": the profile's own
# Pillow's names for the accepted formats; MPO is the multi-picture JPEG phones write.
PILLOW_FORMATS = frozenset({"JPEG", "MPO", "PNG", "GIF", "TIFF", "WEBP"})
# HEIF has no Pillow decoder without a plugin: recognise its ISO-BMFF brand instead.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"})


@dataclass
class Parameters:
    """Text parameters (last value wins) and uploaded files (part name -> bytes)."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name, default)


def read_parameters(request: Request) -> Parameters:
    """Query string and body parameters of ``request``.

    :raises ValueError: the body is multipart without a boundary, or malformed.
    """
    parameters = Parameters({name: values[-1] for name, values in request.query.items()})
    content_type = request.header("Content-Type")
    if not request.body:
        return parameters
    if content_type.startswith("multipart/form-data"):
        fields, files = _parse_multipart(request.body, content_type)
        parameters.fields.update(fields)
        parameters.files.update(files)
    elif content_type.startswith("application/x-www-form-urlencoded") or not content_type:
        body = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        parameters.fields.update({name: values[-1] for name, values in body.items()})
    return parameters


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, bytes]]:
    header = HeaderParser().parsestr(f"Content-Type: {content_type}\r\n\r\n")
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise ValueError("multipart body without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, separator, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("multipart part without a blank line after its headers")
        data = data.removesuffix(b"\r\n")
        part = HeaderParser().parsestr(head.decode("utf-8", "replace") + "\r\n\r\n")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("multipart part without a name")
        if part.get_param("filename", header="content-disposition") is not None:
            files[name] = data
        else:
            fields[name] = data.decode("utf-8")
    return fields, files


@dataclass(frozen=True)
class ImageInfo:
    """A photo the stand-in accepted: Pillow's format name (or ``HEIF``) and size in pixels."""

    format: str
    width: int
    height: int
    size_bytes: int


def inspect_photo(data: bytes) -> ImageInfo | None:
    """The photo's format and size, or None when Facebook would refuse it
    (4 MB or more, unreadable, or not JPG/PNG/GIF/TIFF/HEIF/WebP)."""
    if not data or len(data) >= MAX_PHOTO_BYTES:
        return None
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return ImageInfo("HEIF", 0, 0, len(data))
    with warnings.catch_warnings():
        # A decompression bomb is refused, not turned into a test-failing warning.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format or ""
                width, height = image.size
                image.verify()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            OSError,
            SyntaxError,
            ValueError,
            Warning,
        ):
            return None
    if image_format not in PILLOW_FORMATS:
        return None
    return ImageInfo(image_format, width, height, len(data))
