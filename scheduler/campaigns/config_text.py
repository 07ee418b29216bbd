"""Changing values of config.yaml in place, keeping every comment and the layout.

The campaign file is written by people and commented for people: ``campaign
new`` must not turn it into a machine's dump. :func:`set_values` replaces the
scalars at given key paths where they are written, inserts a missing key as
the first of its mapping (or appends a missing mapping at the end), and
writes every value in double quotes, as the file's own comments ask for
dates and versions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

KeyPath = tuple[str, ...]


def quoted(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _child(node: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _replace_keeping_comment(text: str, start: int, end: int, new: str) -> str:
    """Replace ``text[start:end]`` by ``new``; a comment after it on the same line
    keeps its column when there is room (one space at least)."""
    after = text[end:]
    gap = len(after) - len(after.lstrip(" "))
    if after[gap : gap + 1] == "#":
        room = gap + (end - start) - len(new)
        after = " " * max(room, 1) + after[gap:]
    return text[:start] + new + after


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _set_one(text: str, path: KeyPath, value: str) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, MappingNode):
        raise ValueError("the campaign file is not a mapping of keys")
    node: MappingNode = root
    for depth, key in enumerate(path):
        found = _child(node, key)
        last = depth == len(path) - 1
        if found is None:
            rest = path[depth:]
            return _insert(text, node, rest, value, root is node)
        _key, value_node = found
        if last:
            if not isinstance(value_node, ScalarNode):
                raise ValueError(f"{'.'.join(path)} is not a single value")
            start, end = value_node.start_mark.index, value_node.end_mark.index
            return _replace_keeping_comment(text, start, end, quoted(value))
        if not isinstance(value_node, MappingNode):
            raise ValueError(f"{'.'.join(path[: depth + 1])} is not a mapping")
        node = value_node
    return text


def _insert(text: str, parent: MappingNode, rest: KeyPath, value: str, top: bool) -> str:
    """Insert ``rest`` (a key path, its last key holding ``value``) into ``parent``:
    at the end of the file for the top mapping, else before its first key."""
    if top:
        lines = ["  " * depth + f"{key}:" for depth, key in enumerate(rest)]
        lines[-1] += f" {quoted(value)}"
        return text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    if parent.flow_style or not parent.value:
        raise ValueError(f"cannot add {'.'.join(rest)} to a mapping written on one line")
    first_key = parent.value[0][0]
    indent = first_key.start_mark.column
    lines = [" " * indent + "  " * depth + f"{key}:" for depth, key in enumerate(rest)]
    lines[-1] += f" {quoted(value)}"
    at = _line_start(text, first_key.start_mark.index)
    return text[:at] + "\n".join(lines) + "\n" + text[at:]


def set_values(text: str, values: Mapping[KeyPath, str]) -> str:
    """``text`` (a YAML mapping) with each key path set to its value, in double quotes.

    :raises ValueError: when the text is not a mapping, or a path leads into a
        value that is not a mapping (or, for the last key, not a single value).
    """
    for path, value in values.items():
        text = _set_one(text, path, value)
    return text
