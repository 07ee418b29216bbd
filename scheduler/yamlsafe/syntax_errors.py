"""Plain-words messages for the YAML a parser refuses to read.

Each turns a PyYAML error into a :class:`~scheduler.errors.ContentError` that
names the line and says how to fix it: several documents, a `: ` inside an
unquoted value, a key indented out of line, a tab, a control character.
"""

from __future__ import annotations

import yaml

from scheduler.errors import ContentError
from scheduler.yamlsafe.document import LINE_BREAK


def syntax_error(error: yaml.MarkedYAMLError, text: str, path: str) -> ContentError:
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
    lines = LINE_BREAK.split(text)
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


def reader_error(error: yaml.reader.ReaderError, text: str, path: str) -> ContentError:
    character = chr(error.character) if isinstance(error.character, int) else "\x00"
    offset = text.find(character)
    line, column = 1, 1
    if offset >= 0:
        before = LINE_BREAK.split(text[:offset])
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
    for number, line in enumerate(LINE_BREAK.split(text)[:up_to_line], start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") and stripped.strip():
            return number
    return None
