"""A loaded YAML document and where each of its values sits in the file.

Positions are computed from the node tree on demand: only a reported problem
needs one, which keeps clean files fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from scheduler.errors import ContentError
from scheduler.yamlsafe.composer import PLAIN_TAG

Path = tuple[str | int, ...]

# YAML's own line breaks (str.splitlines also splits on \v, \f and others).
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


def node_mark(node: yaml.Node) -> Mark:
    """Where ``node`` starts, 1-based (PyYAML counts from 0)."""
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass(frozen=True)
class Trap:
    """A YAML trap gathered with ``collect=True``.

    ``path`` is the YAML path of the value (or key) concerned; ``kind`` one of
    ``bool-word``, ``sexagesimal``, ``other-base``, ``long-number``,
    ``hashtag-comment``, ``duplicate-key``, ``alias``, ``tag``, ``key``,
    ``curly-quotes`` or ``character`` (:mod:`~scheduler.yamlsafe.characters`);
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
        return node_mark(found[-1]) if found else Mark(1, 1)

    def key_mark(self, path: Path) -> Mark:
        """The position of the key of ``path`` (its value's position for list items)."""
        found, key_node = self._walk(tuple(path))
        if key_node is not None:
            return node_mark(key_node)
        return node_mark(found[-1]) if found else Mark(1, 1)

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
        return LINE_BREAK.split(self.source)

    @cached_property
    def positions(self) -> dict[Path, Mark]:
        """Every value's position by path."""
        result: dict[Path, Mark] = {}
        for path, _key, node in self._nodes():
            result[path] = node_mark(node)
        return result

    @cached_property
    def key_positions(self) -> dict[Path, Mark]:
        """Every mapping key's position by the path of its value."""
        return {path: node_mark(key) for path, key, _node in self._nodes() if key is not None}

    @cached_property
    def plain_scalars(self) -> dict[Path, str]:
        """Unquoted scalars by path, with the text as written."""
        return {
            path: node.value
            for path, _key, node in self._nodes()
            if isinstance(node, ScalarNode) and node.tag == PLAIN_TAG
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
