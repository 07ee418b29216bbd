"""Text from outside (post files, the database, a platform's answer) made safe to
show on a terminal or in an export.

A terminal runs the control characters it receives: ``ESC [ 2 J`` clears the
screen, ``ESC ] 8`` makes a link, a lone carriage return lets a line overwrite
the one before. :func:`printable` turns every C0 control character (but those
kept), DEL and every C1 control character into a visible stand-in, one
character for one, so the text keeps its length and anybody reading it sees
that something was there: C0 and DEL become their Unicode "control pictures"
(``␛`` for ESC), C1 becomes ``�``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

_C1 = range(0x80, 0xA0)
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (0x7F, *_C1)}


@cache
def _table(keep: str) -> dict[int, int]:
    table = {code: 0x2400 + code for code in range(0x20)}
    table[0x7F] = 0x2421
    table.update({code: 0xFFFD for code in _C1})
    for character in keep:
        table.pop(ord(character), None)
    return table


def printable(text: str, keep: str = "\n\t") -> str:
    """``text`` with every control character but those in ``keep`` replaced by a
    visible stand-in of one character (see the module docstring)."""
    return text.translate(_table(keep))


def has_control_characters(text: str, allowed: str = "") -> bool:
    """True when ``text`` holds a control character (C0, DEL, C1) not in ``allowed``."""
    return text != text.translate(_table(allowed))


def json_text(
    data: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None
) -> str:
    """``data`` as JSON that a terminal shows as is: non-ASCII text stays readable,
    and DEL and the C1 controls, which JSON allows raw, are escaped (``\\u009b``)
    like the C0 ones. Still valid JSON, and the values are unchanged."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=default)
    return text.translate(_JSON_ESCAPES)
