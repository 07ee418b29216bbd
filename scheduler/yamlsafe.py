"""A strict YAML loader for files people write by hand.

YAML 1.1, which PyYAML implements, silently changes values a comms person did
not mean to change. This loader turns each of those traps into a
:class:`~scheduler.errors.ContentError` naming ``path:line:column`` and the fix:

- ``10:00`` read as the integer 600 (sexagesimal) -> "quote it";
- ``on``/``off``/``yes``/``no``/``y``/``n`` read as booleans -> "quote it";
- ``0755`` or ``0x1F`` read as numbers in another base -> "quote it";
- ``text: Join us #StopClusterBombsNow`` where `` #`` starts a comment and the
  hashtag vanishes -> "quote the text";
- duplicate keys, where the last one silently wins;
- tabs in indentation, empty files, bytes that are not UTF-8, control
  characters, several documents in one file, aliases (``*name``, an
  expansion bomb) and any explicit tag but ``!!str``, ``!!map`` and ``!!seq``.

Plain scalars are interpreted here, not by PyYAML's resolver: ``true``/``false``,
null, decimal integers and floats become Python values; everything else,
timestamps included, stays the string the person typed, so the time parser sees
exactly what was written. Composition uses libyaml's C parser when available.

The result is a :class:`Document`: plain Python data plus the composed node
tree, from which ``mark(path)`` finds the 1-based (line, column) of any value on
demand (computing positions only when a problem is reported keeps clean files
fast), and ``find_in_value`` the position of a word inside a value's text, even
across the lines of a block scalar. Untrusted input never raises anything but
ContentError.

By default the first problem raises. With ``collect=True`` the traps that leave
the file readable (everything above except syntax errors, empty or non-UTF-8
files, tabs and several documents) are gathered in ``Document.traps`` instead,
each with the YAML path it concerns and its kind, the value keeping the text as
written, so one run reports them all. The loader knows no field names: a caller
that does (``at`` is a publish time) may give a trap a more precise fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from scheduler.errors import ContentError

Path = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# Given to unquoted scalars without an explicit tag, so _scalar knows which
# values to interpret; the `.invalid` domain cannot collide with a real tag.
_PLAIN_TAG = "tag:campaign-scheduler.invalid,2020:plain"
_ALLOWED_TAGS = {_STR_TAG, _SEQ_TAG, _MAP_TAG, _PLAIN_TAG}

_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_TRUE_FALSE = {"true", "false"}
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_OTHER_INT = re.compile(r"^[-+]?(0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
_NULL = {"", "~", "null", "Null", "NULL"}
_HASHTAG_COMMENT = re.compile(r"^[ \t]+#[^\W_]", re.UNICODE)
# YAML's own line breaks (str.splitlines also splits on \v, \f and others).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u00ab\u00bb"  # “ ” ‘ ’ « »
_MAX_INT_DIGITS = 4000  # below Python's int/str conversion limit (4300 digits)


class _TagsLeftAlone:
    """Resolver stand-in: plain scalars get a marker tag, nothing is guessed.

    PyYAML's resolver is where YAML 1.1 guesses types (and most of the loading
    time goes); this loader interprets plain scalars itself in ``_scalar``.
    """

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN_TAG if implicit[0] else _STR_TAG
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


try:  # libyaml is several times faster; fall back to pure Python if missing.
    from yaml._yaml import CParser

    class _Composer(CParser, _TagsLeftAlone):
        pass

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, _TagsLeftAlone):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass(frozen=True)
class Trap:
    """A YAML trap gathered with ``collect=True``.

    ``path`` is the YAML path of the value (or key) concerned; ``kind`` one of
    ``bool-word``, ``sexagesimal``, ``other-base``, ``long-number``,
    ``hashtag-comment``, ``duplicate-key``, ``alias``, ``tag`` or ``key``;
    ``written`` the scalar exactly as typed (empty when there is none).
    """

    error: ContentError
    path: Path
    kind: str
    written: str = ""


@dataclass
class Document:
    """A loaded YAML document: ``data`` and where each value sits.

    ``root`` is the composed node tree. ``mark(path)`` gives the position of the
    value at a path such as ``("posts", 2, "text")`` and ``key_mark(path)`` that
    of its key. ``positions``, ``key_positions`` and ``plain_scalars`` (the paths
    of unquoted scalars with their source text, so a validator can suggest
    quoting ``19.10``) are computed on first use. ``traps`` holds the traps
    gathered with ``collect=True``; ``problems`` their errors and
    ``problem_paths`` the paths they concern. ``source`` is the text loaded.
    """

    path: str
    data: Any
    root: yaml.Node | None = None
    traps: list[Trap] = field(default_factory=list)
    source: str = ""

    @property
    def problems(self) -> list[ContentError]:
        """The errors of ``traps``, in the order found."""
        return [trap.error for trap in self.traps]

    @property
    def problem_paths(self) -> set[Path]:
        """The YAML paths ``traps`` concern."""
        return {trap.path for trap in self.traps}

    def _walk(self, path: Path) -> tuple[list[yaml.Node], yaml.Node | None]:
        """Nodes along ``path`` (as far as they exist) and the key node of the last."""
        node = self.root
        found: list[yaml.Node] = [] if node is None else [node]
        key_node: yaml.Node | None = None
        for part in path:
            if node is None:
                break
            child: yaml.Node | None = None
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if isinstance(key, ScalarNode) and key.value == part:
                        key_node, child = key, value
                        break
            elif (
                isinstance(node, SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                key_node, child = None, node.value[part]
            if child is None:
                break
            node = child
            found.append(child)
        if len(found) != len(path) + 1:
            key_node = None
        return found, key_node

    def mark(self, path: Path) -> Mark:
        """The position of the value at ``path``, or of its closest existing parent."""
        found, _ = self._walk(tuple(path))
        return _mark(found[-1]) if found else Mark(1, 1)

    def key_mark(self, path: Path) -> Mark:
        """The position of the key of ``path`` (its value's position for list items)."""
        found, key_node = self._walk(tuple(path))
        if key_node is not None:
            return _mark(key_node)
        return _mark(found[-1]) if found else Mark(1, 1)

    def find_in_value(self, path: Path, pattern: re.Pattern[str]) -> Mark | None:
        """Where ``pattern`` first matches in the source of the text value at ``path``.

        The value is the closest existing one along ``path`` (as ``mark``), and it
        must be a scalar. The search runs over the lines as written, so it finds a
        word (a hashtag) inside a folded or literal block scalar, whose value
        starts on the line after ``>-``/``|``; a match cannot span lines. None when
        there is no scalar or no match (an escape such as ``\\u0023`` hides it).
        """
        lines = self._value_lines(path)
        for number, start, text in lines:
            found = pattern.search(text)
            if found is not None:
                return Mark(number, start + found.start() + 1)
        return None

    def scalar_style(self, path: Path) -> str | None:
        """How the scalar at ``path`` (or its closest existing parent) is written:
        ``""`` plain, ``'"'`` or ``"'"`` quoted, ``"|"`` or ``">"`` a block; None
        when the value there is not a scalar."""
        found, _ = self._walk(tuple(path))
        node = found[-1] if found else None
        return str(node.style or "") if isinstance(node, ScalarNode) else None

    def value_start(self, path: Path) -> Mark:
        """Where the text of the value at ``path`` begins: for a block scalar, its
        first written line rather than the ``>-``/``|`` indicator."""
        for number, start, text in self._value_lines(path):
            stripped = text.lstrip(" ")
            if stripped.strip():
                return Mark(number, start + len(text) - len(stripped) + 1)
        return self.mark(path)

    def value_end(self, path: Path) -> Mark:
        """Just after the last written character of the text at ``path`` (before a
        closing quote): where words added at the end of the text go."""
        style = self.scalar_style(path)
        for from_end, (number, start, text) in enumerate(reversed(self._value_lines(path))):
            content = text.rstrip()
            if from_end == 0 and style in ('"', "'") and content.endswith(str(style)):
                content = content[:-1].rstrip()  # the closing quote
            if content.strip():
                return Mark(number, start + len(content) + 1)
        return self.mark(path)

    def _value_lines(self, path: Path) -> list[tuple[int, int, str]]:
        """The source lines of the scalar at ``path`` as (1-based line, 0-based
        column where the slice starts, text); a block scalar's indicator line is
        left out. Empty when the value there is not a scalar."""
        found, _ = self._walk(tuple(path))
        node = found[-1] if found else None
        if not isinstance(node, ScalarNode) or not self.source:
            return []
        lines = self._lines
        start, end = node.start_mark, node.end_mark
        first = start.line + 1 if node.style in ("|", ">") else start.line
        result: list[tuple[int, int, str]] = []
        for index in range(first, min(end.line, len(lines) - 1) + 1):
            text = lines[index]
            begin = start.column if index == start.line else 0
            stop = end.column if index == end.line else len(text)
            if index == end.line and stop == 0:
                break
            result.append((index + 1, begin, text[begin:stop]))
        return result

    @cached_property
    def _lines(self) -> list[str]:
        return _LINE_BREAK.split(self.source)

    @cached_property
    def positions(self) -> dict[Path, Mark]:
        """Every value's position by path."""
        result: dict[Path, Mark] = {}
        for path, _key, node in self._nodes():
            result[path] = _mark(node)
        return result

    @cached_property
    def key_positions(self) -> dict[Path, Mark]:
        """Every mapping key's position by the path of its value."""
        return {path: _mark(key) for path, key, _node in self._nodes() if key is not None}

    @cached_property
    def plain_scalars(self) -> dict[Path, str]:
        """Unquoted scalars by path, with the text as written."""
        return {
            path: node.value
            for path, _key, node in self._nodes()
            if isinstance(node, ScalarNode) and node.tag == _PLAIN_TAG
        }

    def _nodes(self) -> list[tuple[Path, yaml.Node | None, yaml.Node]]:
        result: list[tuple[Path, yaml.Node | None, yaml.Node]] = []
        if self.root is None:
            return result
        stack: list[tuple[Path, yaml.Node | None, yaml.Node]] = [((), None, self.root)]
        seen: set[int] = set()
        while stack:
            path, key, node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            result.append((path, key, node))
            if isinstance(node, MappingNode):
                for key_node, value in node.value:
                    if isinstance(key_node, ScalarNode):
                        stack.append(((*path, key_node.value), key_node, value))
            elif isinstance(node, SequenceNode):
                for index, item in enumerate(node.value):
                    stack.append(((*path, index), None, item))
        return result


def load_text(text: str, path: str, *, collect: bool = False) -> Document:
    """Load one YAML document from ``text``; ``path`` is used in messages only.

    :param collect: gather recoverable traps in ``Document.problems`` instead of
        raising the first (see the module docstring).
    :raises ContentError: on any syntax error, or on a trap when not collecting.
    """
    if not text.strip():
        raise ContentError("the file is empty", path, hint="write at least one post, or delete it")
    try:
        composer = _Composer(text)
        try:
            root = composer.get_single_node()
        finally:
            composer.dispose()
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, path) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(error, text, path) from None
    except yaml.YAMLError as error:
        raise ContentError(f"YAML error: {error}", path) from None
    except (ValueError, RecursionError) as error:  # malformed input deep inside libyaml
        raise ContentError(f"the file cannot be read as YAML ({error})", path) from None
    if root is None:
        raise ContentError(
            "the file has no content, only comments", path, hint="write at least one post"
        )
    document = Document(path=path, data=None, root=root, source=text)
    builder = _Builder(document, text, collect)
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


def _syntax_error(error: yaml.MarkedYAMLError, text: str, path: str) -> ContentError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    context = f"{error.context or ''} {error.problem or ''}"
    if "expected a single document" in context or "but found another document" in context:
        return ContentError(
            "the file holds several YAML documents (---)",
            path,
            line,
            column,
            hint="put several posts in one list under `posts:` instead of separate documents",
        )
    if "mapping values are not allowed" in (error.problem or "") and mark is not None:
        return _colon_error(text, path, line, column)
    tab_line = _tab_indentation(text, line)
    if tab_line is not None:
        return ContentError(
            "a tab is used for indentation; YAML allows only spaces",
            path,
            tab_line,
            1,
            hint="replace the tab with spaces (two per level)",
        )
    return ContentError(
        f"YAML syntax error: {error.problem or 'invalid YAML'}",
        path,
        line,
        column,
        hint="check the indentation and quoting on this line and the one before; "
        "text containing `: ` or starting with a quote, `[`, `{`, `&`, `*`, `!`, `|`, `>`, `%` "
        'or `@` must be in double quotes ("...")',
    )


def _colon_error(text: str, path: str, line: int, column: int) -> ContentError:
    """``mapping values are not allowed``: a `: ` inside an unquoted value, or a key
    indented differently from its neighbours."""
    lines = _LINE_BREAK.split(text)
    source = lines[line - 1] if line <= len(lines) else ""
    first_colon = source.find(": ")
    if 0 <= first_colon < column - 2:
        key, value = source[:first_colon].strip(), source[first_colon + 2 :].strip()
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return ContentError(
            "an unquoted value contains `: `, which YAML reads as the start of another key",
            path,
            line,
            column,
            hint=f'put the whole value in double quotes: {key}: "{quoted}"',
        )
    return ContentError(
        "this key is indented differently from the keys around it",
        path,
        line,
        column,
        hint="line the key up with the other keys of the same post (same number of spaces)",
    )


def _reader_error(error: yaml.reader.ReaderError, text: str, path: str) -> ContentError:
    character = chr(error.character) if isinstance(error.character, int) else "\x00"
    offset = text.find(character)
    line, column = 1, 1
    if offset >= 0:
        before = _LINE_BREAK.split(text[:offset])
        line, column = len(before), len(before[-1]) + 1
    code = f"U+{ord(character):04X}"
    return ContentError(
        f"the file contains the invisible control character {code}, which YAML does not allow",
        path,
        line,
        column,
        hint="delete it (it often comes from copying text out of a PDF or a word processor)",
    )


def _tab_indentation(text: str, up_to_line: int) -> int | None:
    """The first line up to ``up_to_line`` whose indentation holds a tab."""
    for number, line in enumerate(_LINE_BREAK.split(text)[:up_to_line], start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") and stripped.strip():
            return number
    return None


class _Builder:
    """Turns the node tree into Python data, applying the trap checks."""

    def __init__(self, document: Document, text: str, collect: bool) -> None:
        self.document = document
        self.collect = collect
        # Only a line holding `#` can hide a hashtag in a comment.
        self.lines = _LINE_BREAK.split(text) if "#" in text else None
        self.seen: set[int] = set()

    def fail(self, error: ContentError, path: Path, kind: str, written: str = "") -> None:
        if not self.collect:
            raise error
        self.document.traps.append(Trap(error, path, kind, written))

    def error(self, message: str, node: yaml.Node, hint: str | None = None) -> ContentError:
        where = _mark(node)
        return ContentError(message, self.document.path, where.line, where.column, hint=hint)

    def build(self, node: yaml.Node, path: Path) -> Any:
        if id(node) in self.seen:  # the composer hands an alias back as the anchored node
            self.fail(self.alias_error(node, path), path, "alias")
            return None
        self.seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self.fail(
                self.error(
                    f"the tag {node.tag!r} is not allowed",
                    node,
                    hint="remove the `!tag`; write plain values (quote text)",
                ),
                path,
                "tag",
            )
            return None
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        raise self.error(
            "an unexpected YAML node", node
        )  # pragma: no cover - composer gives 3 kinds

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.fail(self.error("a key must be a plain word", key_node), path, "key")
                continue
            key = key_node.value
            if (key == "<<" and key_node.tag == _PLAIN_TAG) or key_node.tag.endswith(":merge"):
                self.fail(self.alias_error(key_node, path), path, "alias")
                continue
            if key in result:
                first = _mark(first_seen[key])
                self.fail(
                    self.error(
                        f"the key {key!r} appears twice (first on line {first.line}); "
                        "YAML would silently keep only the last",
                        key_node,
                        hint=f"remove or rename one of the two {key!r} keys",
                    ),
                    (*path, key),
                    "duplicate-key",
                )
                continue
            first_seen[key] = key_node
            if id(value_node) in self.seen:  # an alias: point at its key, not the anchor
                self.fail(self.alias_error(key_node, (*path, key)), (*path, key), "alias")
                result[key] = None
                continue
            result[key] = self.build(value_node, (*path, key))
        return result

    def alias_error(self, node: yaml.Node, path: Path) -> ContentError:
        name = ".".join(str(part) for part in path) or "this value"
        return self.error(
            f"anchors, aliases and merge keys (&, *, <<) are not supported ({name})",
            node,
            hint="write the value out in full",
        )

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        value: str = node.value
        if self.lines is not None:
            self.comment_swallowed_hashtag(node, path)
        if node.tag != _PLAIN_TAG:
            return value  # quoted, block or `!!str`: always the text as written
        if value in _NULL:
            return None
        lowered = value.lower()
        if lowered in _TRUE_FALSE:
            return lowered == "true"
        if lowered in _BOOL_WORDS:
            self.fail(
                self.error(
                    f"the unquoted word {value!r} would be read as true/false by YAML",
                    node,
                    hint=f'quote it: "{value}" (or write true/false if you meant a yes/no value)',
                ),
                path,
                "bool-word",
                value,
            )
            return value
        if _SEXAGESIMAL.match(value):
            self.fail(
                self.error(
                    f"the unquoted {value} looks like a time, but YAML reads such values as "
                    f"numbers in base 60 ({value} becomes {_base_60(value)})",
                    node,
                    hint=f'quote it: "{value}"',
                ),
                path,
                "sexagesimal",
                value,
            )
            return value
        if _INT.match(value):
            digits = value.replace("_", "")
            if len(digits) > _MAX_INT_DIGITS:
                self.fail(
                    self.error(f"a number with {len(digits)} digits is too long", node),
                    path,
                    "long-number",
                    value,
                )
                return value
            return int(digits)
        if _OTHER_INT.match(value):
            self.fail(
                self.error(
                    f"the unquoted {value} would be read by YAML as a number in another base",
                    node,
                    hint=f'quote it: "{value}"',
                ),
                path,
                "other-base",
                value,
            )
            return value
        if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
            return float(value.replace("_", ""))
        if lowered in _SPECIAL_FLOATS:
            return float(_SPECIAL_FLOATS[lowered])
        return value

    def comment_swallowed_hashtag(self, node: ScalarNode, path: Path) -> None:
        assert self.lines is not None
        end = node.end_mark
        if end.line >= len(self.lines) or node.style in ("|", ">"):
            return
        rest = self.lines[end.line][end.column :]
        if _HASHTAG_COMMENT.match(rest):
            lost = rest.strip()
            hint = 'put the whole text in double quotes ("... #Hashtag") or use a block scalar (>-)'
            if node.value and node.value[0] in _CURLY_QUOTES:
                hint = 'curly quotes are text to YAML: use straight double quotes ("...")'
            self.fail(
                ContentError(
                    f"a ` #` after a value starts a YAML comment: {lost!r} is silently dropped",
                    self.document.path,
                    end.line + 1,
                    end.column + 1 + (len(rest) - len(rest.lstrip())),
                    hint=hint,
                ),
                path,
                "hashtag-comment",
                node.value,
            )


def _base_60(value: str) -> str:
    """What YAML 1.1 reads a sexagesimal ``value`` as (``10:00`` -> ``600``), for messages."""
    sign = -1 if value.startswith("-") else 1
    whole, _, fraction = value.lstrip("+-").replace("_", "").partition(".")
    number = 0
    for part in whole.split(":"):
        number = number * 60 + int(part)
    if fraction or "." in value:
        return f"{sign * (number + float('0.' + (fraction or '0'))):.12g}"
    return str(sign * number)
