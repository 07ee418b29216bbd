"""Loading a YAML file, its bytes or its text into a :class:`Document`.

Untrusted input never raises anything but ContentError; ``collect=True``
gathers the traps that leave the file readable instead of raising the first
(see :mod:`scheduler.yamlsafe`). Characters that are not what they look like
(:mod:`~scheduler.yamlsafe.characters`) are traps too, and are named in place
of the syntax error they caused.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from scheduler.errors import ContentError
from scheduler.yamlsafe.builder import Builder
from scheduler.yamlsafe.characters import Finding, find_characters, worth_a_look
from scheduler.yamlsafe.composer import NodeComposer
from scheduler.yamlsafe.document import Document, Path
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
        raise _character_error(text, path, error) or syntax_error(error, text, path) from None
    except yaml.reader.ReaderError as error:
        raise _character_error(text, path, None) or reader_error(error, text, path) from None
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
    if worth_a_look(text):
        _report_characters(document, text, builder)
    return document


def _finding_error(finding: Finding, path: str) -> ContentError:
    return ContentError(finding.message, path, finding.line, finding.column, hint=finding.hint)


def _character_error(
    text: str, path: str, error: yaml.MarkedYAMLError | None
) -> ContentError | None:
    """A character that is not what it looks like, on or before the line where YAML
    gave up: most likely the cause, and what the person must fix (not a syntax
    error at a place the editor does not even show)."""
    if not worth_a_look(text):
        return None
    mark = error.problem_mark if error is not None else None
    last_line = mark.line + 2 if mark is not None else None  # 1-based, and the line after
    for finding in find_characters(text):
        if last_line is None or finding.line <= last_line:
            return _finding_error(finding, path)
    return None


def _report_characters(document: Document, text: str, builder: Builder) -> None:
    """Each character of a readable file that is not what it looks like, as a trap at
    the key or value it sits in (so no later rule reports that value again)."""
    regions = list(_regions(document.root, ())) if document.root is not None else []
    for finding in find_characters(text, [(start, end, role) for start, end, role, _ in regions]):
        where: Path = ()
        for start, end, _role, node_path in regions:
            if start <= finding.offset < end:
                where = node_path
                break
        builder.fail(_finding_error(finding, document.path), where, "character", finding.character)


def _regions(node: yaml.Node, path: Path) -> Iterator[tuple[int, int, str, Path]]:
    """(start, end, ``key`` or ``value``, YAML path) of every key and scalar value."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else ""
            yield key_node.start_mark.index, key_node.end_mark.index, "key", (*path, key)
            yield from _regions(value_node, (*path, key))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _regions(item, (*path, index))
    elif isinstance(node, ScalarNode):
        yield node.start_mark.index, node.end_mark.index, "value", path


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
