"""From the node tree to Python data, with each YAML trap found on the way.

Plain scalars are interpreted here, not by PyYAML's resolver: ``true``/``false``,
null, decimal integers and floats become Python values; everything else,
timestamps included, stays the string the person typed. A trap (a yes/no word,
a base-60 time, a number in another base, a hashtag lost to a comment, a
duplicate key, an alias, a tag) raises, or with ``collect`` is added to the
document's ``traps``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from scheduler.errors import ContentError
from scheduler.yamlsafe.composer import ALLOWED_TAGS, PLAIN_TAG
from scheduler.yamlsafe.document import LINE_BREAK, Document, Path, Trap, node_mark

_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_TRUE_FALSE = {"true", "false"}
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_OTHER_INT = re.compile(r"^[-+]?(0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
_NULL = {"", "~", "null", "Null", "NULL"}
_HASHTAG_COMMENT = re.compile(r"^[ \t]+#[^\W_]", re.UNICODE)
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u00ab\u00bb"  # “ ” ‘ ’ « »
_MAX_INT_DIGITS = 4000  # below Python's int/str conversion limit (4300 digits)


class Builder:
    """Turns the node tree into Python data, applying the trap checks."""

    def __init__(self, document: Document, text: str, collect: bool) -> None:
        self.document = document
        self.collect = collect
        # Only a line holding `#` can hide a hashtag in a comment.
        self.lines = LINE_BREAK.split(text) if "#" in text else None
        self.seen: set[int] = set()

    def fail(self, error: ContentError, path: Path, kind: str, written: str = "") -> None:
        if not self.collect:
            raise error
        self.document.traps.append(Trap(error, path, kind, written))

    def error(self, message: str, node: yaml.Node, hint: str | None = None) -> ContentError:
        where = node_mark(node)
        return ContentError(message, self.document.path, where.line, where.column, hint=hint)

    def build(self, node: yaml.Node, path: Path) -> Any:
        if id(node) in self.seen:  # the composer hands an alias back as the anchored node
            self.fail(self.alias_error(node, path), path, "alias")
            return None
        self.seen.add(id(node))
        if node.tag not in ALLOWED_TAGS:
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
            if (key == "<<" and key_node.tag == PLAIN_TAG) or key_node.tag.endswith(":merge"):
                self.fail(self.alias_error(key_node, path), path, "alias")
                continue
            if key in result:
                first = node_mark(first_seen[key])
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
        if node.tag != PLAIN_TAG:
            return value  # quoted, block or `!!str`: always the text as written
        if (
            not node.style
            and len(value) >= 2
            and value[0] in "\u201c\u2018"
            and value[-1] in "\u201d\u2019"
        ):
            straight = value[1:-1].replace("\\", "\\\\").replace('"', '\\"')
            key = f"{path[-1]}: " if path and isinstance(path[-1], str) else ""
            self.fail(
                self.error(
                    f"{value[0]}…{value[-1]} are curly quotes, which YAML keeps as part of the "
                    "value instead of reading them as quotes",
                    node,
                    hint=f'use straight double quotes: {key}"{straight}"',
                ),
                path,
                "curly-quotes",
                value,
            )
            return value
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
