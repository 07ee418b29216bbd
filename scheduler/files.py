"""Reading the files a person hands the program, within a size limit.

Every file the product reads whole (the campaign file, post files, ``.env``)
is read through :func:`read_limited`, which never holds more than its limit
plus one byte: ``--config /dev/zero`` is refused at once instead of filling
memory. Media files are opened by Pillow or streamed; their limit is
:data:`MEDIA_MAX_BYTES`, checked on the file's size before it is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scheduler.errors import ContentError

MEGABYTE = 1024 * 1024
# The campaign file is a few kilobytes; a megabyte is hundreds of accounts.
CONFIG_MAX_BYTES = 1 * MEGABYTE
# A post file of 4 MB holds thousands of posts in three languages.
POST_FILE_MAX_BYTES = 4 * MEGABYTE
ENV_FILE_MAX_BYTES = 64 * 1024
# X's largest upload is a 512 MB video ("when using media_category=amplify_video"
# [platforms-2026.md, X media]); nothing larger can be posted anywhere we publish.
MEDIA_MAX_BYTES = 512 * MEGABYTE


def size_text(size_bytes: int) -> str:
    """``4 MB``, ``64 KB``: a limit as people read it (binary units, rounded)."""
    if size_bytes >= MEGABYTE:
        return f"{size_bytes / MEGABYTE:.0f} MB"
    return f"{size_bytes / 1024:.0f} KB"


def read_limited(
    path: str | os.PathLike[str],
    limit: int,
    what: str,
    hint: str = "check that this is the file you meant; split a large file into several",
) -> bytes:
    """The bytes of the file at ``path``, refusing one larger than ``limit`` bytes.

    ``what`` names the file for the message (``"a campaign file"``), ``hint``
    says what to do. A device or pipe is read the same way, up to the limit, so
    ``/dev/zero`` fails fast.

    :raises ContentError: the file cannot be read, or holds more than ``limit``
        bytes (the message gives the limit and where the file is).
    """
    shown = str(path)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            too_large = stat.S_ISREG(info.st_mode) and info.st_size > limit
            data = b"" if too_large else handle.read(limit + 1)
    except OSError as error:
        raise ContentError(f"cannot read the file: {error.strerror or error}", shown) from None
    if too_large or len(data) > limit:
        raise ContentError(
            f"the file is larger than {size_text(limit)}, the most {what} may hold",
            shown,
            hint=hint,
        )
    return data


def media_problem(path: Path) -> str | None:
    """Why the media file at ``path`` cannot be used before it is even opened, or None.

    The words complete a sentence naming the file: ``"is not a regular file"``.
    """
    try:
        info = path.stat()
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > MEDIA_MAX_BYTES:
        return (
            f"is {info.st_size / MEGABYTE:,.0f} MB, more than any platform takes "
            f"({size_text(MEDIA_MAX_BYTES)})"
        )
    return None
