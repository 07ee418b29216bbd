"""Loading a YAML file, its bytes or its text into a :class:`Document`.

Untrusted input never raises anything but ContentError; ``collect=True``
gathers the traps that leave the file readable instead of raising the first
(see :mod:`scheduler.yamlsafe`).
"""

from __future__ import annotations

import yaml

from scheduler.errors import ContentError
from scheduler.yamlsafe.builder import Builder
from scheduler.yamlsafe.composer import NodeComposer
from scheduler.yamlsafe.document import Document
from scheduler.yamlsafe.syntax_errors import reader_error, syntax_error


def load_text(text: str, path: str, *, collect: bool = False) -> Document:
    """Load one YAML document from ``text``; ``path`` is used in messages only.

    :param collect: gather recoverable traps in ``Document.problems`` instead of
        raising the first (see :mod:`scheduler.yamlsafe`).
    :raises ContentError: on any syntax error, or on a trap when not collecting.
    """
    if not text.strip():
        raise ContentError("the file is empty", path, hint="write at least one post, or delete it")
    try:
        composer = NodeComposer(text)
        try:
            root = composer.get_single_node()
        finally:
            composer.dispose()
    except yaml.MarkedYAMLError as error:
        raise syntax_error(error, text, path) from None
    except yaml.reader.ReaderError as error:
        raise reader_error(error, text, path) from None
    except yaml.YAMLError as error:
        raise ContentError(f"YAML error: {error}", path) from None
    except (ValueError, RecursionError) as error:  # malformed input deep inside libyaml
        raise ContentError(f"the file cannot be read as YAML ({error})", path) from None
    if root is None:
        raise ContentError(
            "the file has no content, only comments", path, hint="write at least one post"
        )
    document = Document(path=path, data=None, root=root, source=text)
    builder = Builder(document, text, collect)
    try:
        document.data = builder.build(root, ())
    except RecursionError:
        raise ContentError("the document is nested too deeply", path) from None
    return document


def load_bytes(raw: bytes, path: str, *, collect: bool = False) -> Document:
    """Decode ``raw`` as UTF-8 (a BOM is allowed) and load it.

    :raises ContentError: for bytes that are not UTF-8 and everything ``load_text`` raises.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = len(
            raw[raw.rfind(b"\n", 0, error.start) + 1 : error.start].decode(errors="ignore")
        )
        raise ContentError(
            f"the file is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
            path,
            line,
            column + 1,
            hint="save the file as UTF-8 in your editor (Save with Encoding > UTF-8)",
        ) from None
    return load_text(text, path, collect=collect)


def load_file(file_path: str, *, collect: bool = False) -> Document:
    """Read and load the file at ``file_path``.

    :raises ContentError: when the file cannot be read or fails ``load_bytes``.
    """
    try:
        with open(file_path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ContentError(f"cannot read the file: {error.strerror}", file_path) from None
    return load_bytes(raw, file_path, collect=collect)
