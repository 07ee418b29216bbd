"""A strict YAML loader for files people write by hand.

YAML 1.1, which PyYAML implements, silently changes values a comms person did
not mean to change. This loader turns each of those traps into a
:class:`~scheduler.errors.ContentError` naming ``path:line:column`` and the fix:

- ``10:00`` read as the integer 600 (sexagesimal) -> "quote it";
- ``on``/``off``/``yes``/``no``/``y``/``n`` read as booleans -> "quote it";
- ``text: Join us #StopClusterBombsNow`` where `` #`` starts a comment and the
  hashtag vanishes -> "quote the text";
- duplicate keys, where the last one silently wins;
- tabs in indentation, empty files, bytes that are not UTF-8, several
  documents in one file, aliases (``*name``, an expansion bomb) and any tag
  outside YAML's core schema.

Timestamps stay the strings the person typed, so the time parser sees exactly
what was written. Loading uses libyaml's C composer when available.

The result is plain Python data plus a map from each value's path (a tuple of
keys and list indexes) to its 1-based (line, column), so validation errors can
point at the exact spot. Untrusted input never raises anything but
ContentError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from scheduler.errors import ContentError

try:  # libyaml is several times faster; fall back to pure Python if missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_TRUE_FALSE = {"true", "false"}
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_OTHER_INT = re.compile(r"^[-+]?(0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)$")
_FLOAT = re.compile(
    r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$"
)
_NULL = {"", "~", "null", "Null", "NULL"}
_HASHTAG_COMMENT = re.compile(r"^[ \t]+#[A-Za-z0-9_]")
_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


@dataclass
class Document:
    """A loaded YAML document: ``data`` and where each value sits.

    ``positions`` maps a path such as ``("posts", 2, "text")`` to the Mark of that
    value; ``key_positions`` maps the same path to the Mark of its key.
    ``plain_scalars`` holds the paths of unquoted scalars with their source
    text, so a validator can suggest quoting (``19.10`` stays ``19.10``).
    """

    path: str
    data: Any
    positions: dict[Path, Mark] = field(default_factory=dict)
    key_positions: dict[Path, Mark] = field(default_factory=dict)
    plain_scalars: dict[Path, str] = field(default_factory=dict)
    _seen_nodes: set[int] = field(default_factory=set, repr=False)

    def mark(self, path: Path) -> Mark:
        """The closest known position for ``path`` (walks up to the parent)."""
        probe = tuple(path)
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), Mark(1, 1))


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def load_text(text: str, path: str) -> Document:
    """Load one YAML document from ``text``; ``path`` is used in messages only.

    :raises ContentError: on any syntax error or trap listed in the module docstring.
    """
    if not text.strip():
        raise ContentError("the file is empty", path, hint="write at least one post, or delete it")
    tab_line = _tab_indentation(text)
    if tab_line is not None:
        raise ContentError(
            "a tab is used for indentation; YAML allows only spaces",
            path,
            tab_line,
            1,
            hint="replace the tab with spaces (two per level)",
        )
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = error.problem or "invalid YAML"
        if "expected a single document" in str(error.context or "") or "but found another" in (
            str(error.problem or "")
        ):
            raise ContentError(
                "the file holds several YAML documents (---)",
                path,
                line,
                column,
                hint="put several posts in one list under `posts:` instead of separate documents",
            ) from None
        raise ContentError(
            f"YAML syntax error: {problem}",
            path,
            line,
            column,
            hint="check the indentation and quoting on this line and the one before",
        ) from None
    except yaml.YAMLError as error:
        raise ContentError(f"YAML error: {error}", path) from None
    except (ValueError, RecursionError) as error:  # malformed input deep inside libyaml
        raise ContentError(f"the file cannot be read as YAML ({error})", path) from None
    if root is None:
        raise ContentError("the file has no content, only comments", path)
    document = Document(path=path, data=None)
    lines = text.splitlines()
    try:
        document.data = _build(root, (), document, lines)
    except RecursionError:
        raise ContentError("the document is nested too deeply", path) from None
    return document


def load_bytes(raw: bytes, path: str) -> Document:
    """Decode ``raw`` as UTF-8 (a BOM is allowed) and load it.

    :raises ContentError: for bytes that are not UTF-8 and everything ``load_text`` raises.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContentError(
            f"the file is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
            path,
            line,
            column,
            hint="save the file as UTF-8 in your editor",
        ) from None
    if "\x00" in text:
        raise ContentError("the file contains NUL bytes; it is not a text file", path)
    return load_text(text, path)


def load_file(file_path: str) -> Document:
    """Read and load the file at ``file_path``.

    :raises ContentError: when the file cannot be read or fails ``load_bytes``.
    """
    try:
        with open(file_path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ContentError(f"cannot read the file: {error.strerror}", file_path) from None
    return load_bytes(raw, file_path)


def _tab_indentation(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") and stripped.strip():
            return number
    return None


def _build(node: yaml.Node, path: Path, document: Document, lines: list[str]) -> Any:
    where = _mark(node)
    seen = document._seen_nodes
    if id(node) in seen:  # the composer hands an alias back as the anchored node itself
        raise _alias_error(document, node)
    seen.add(id(node))
    document.positions[path] = where
    if node.tag not in _CORE_TAGS:
        raise ContentError(
            f"the tag {node.tag!r} is not allowed",
            document.path,
            where.line,
            where.column,
            hint="remove the `!tag`; write plain values",
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.value == "<<"
                and not key_node.style
            ):
                raise _alias_error(document, key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                key_mark = _mark(key_node)
                raise ContentError(
                    "a key must be a plain word",
                    document.path,
                    key_mark.line,
                    key_mark.column,
                )
            key = key_node.value
            key_mark = _mark(key_node)
            if key in result:
                first = document.key_positions.get((*path, key), key_mark)
                raise ContentError(
                    f"the key {key!r} appears twice (first on line {first.line}); "
                    "YAML would silently keep only the last",
                    document.path,
                    key_mark.line,
                    key_mark.column,
                    hint=f"remove or rename one of the two {key!r} keys",
                )
            document.key_positions[(*path, key)] = key_mark
            result[key] = _build(value_node, (*path, key), document, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), document, lines) for index, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, document, lines)
    raise _alias_error(document, node)  # pragma: no cover - composer resolves aliases to nodes


def _alias_error(document: Document, node: yaml.Node) -> ContentError:
    where = _mark(node)
    return ContentError(
        "anchors, aliases and merge keys (&, *, <<) are not supported",
        document.path,
        where.line,
        where.column,
        hint="write the value out in full",
    )


def _scalar(node: yaml.ScalarNode, path: Path, document: Document, lines: list[str]) -> Any:
    value: str = node.value
    where = _mark(node)
    if node.style is not None and node.style != "":
        return value  # quoted or block scalar: always a string
    document.plain_scalars[path] = value
    _check_comment_swallowed_hashtag(node, document, lines)
    if value in _NULL:
        return None
    lowered = value.lower()
    if lowered in _TRUE_FALSE:
        return lowered == "true"
    if lowered in _BOOL_WORDS:
        raise ContentError(
            f"the unquoted word {value!r} would be read as true/false by YAML",
            document.path,
            where.line,
            where.column,
            hint=f'quote it: "{value}" (or write true/false if you meant a yes/no value)',
        )
    if _SEXAGESIMAL.match(value):
        raise ContentError(
            f"{value} is read by YAML as a number in base 60, not a time",
            document.path,
            where.line,
            where.column,
            hint=f'quote it: "{value}"',
        )
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _OTHER_INT.match(value):
        raise ContentError(
            f"{value} would be read by YAML as a number in another base",
            document.path,
            where.line,
            where.column,
            hint=f'quote it: "{value}"',
        )
    if (_FLOAT.match(value) and any(ch.isdigit() for ch in value)) or value.lower() in (
        ".inf",
        "-.inf",
        "+.inf",
        ".nan",
    ):
        return float(value.replace("_", ""))
    return value


def _check_comment_swallowed_hashtag(
    node: yaml.ScalarNode, document: Document, lines: list[str]
) -> None:
    end = node.end_mark
    if end.line >= len(lines):
        return
    rest = lines[end.line][end.column :]
    if _HASHTAG_COMMENT.match(rest):
        raise ContentError(
            "a ` #` after an unquoted value starts a YAML comment: "
            f"{rest.strip()!r} is silently dropped",
            document.path,
            end.line + 1,
            end.column + 1 + (len(rest) - len(rest.lstrip())),
            hint='quote the whole value ("... #Hashtag") or use a block scalar (|)',
        )
