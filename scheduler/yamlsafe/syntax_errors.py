"""Plain-words messages for the YAML a parser refuses to read.

Each turns a PyYAML error into a :class:`~scheduler.errors.ContentError` that
names the line and says how to fix it: several documents, a `: ` inside an
unquoted value, a key indented out of line, a tab, a control character.
"""

from __future__ import annotations

import json
import re

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
    quoting = _quote_error(text, path, line)
    if quoting is not None:
        return quoting
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


_QUOTED_VALUE = re.compile(
    r"""^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s:#"'][^:#]*?):\s+(?P<quote>["'])(?P<rest>.*)$"""
)


def _closing_quote(rest: str, quote: str) -> int | None:
    """Where the quoted text that ``rest`` continues ends, as YAML reads it."""
    index = 0
    while index < len(rest):
        character = rest[index]
        if quote == '"' and character == "\\":
            index += 2
            continue
        if character == quote:
            if quote == "'" and rest[index + 1 : index + 2] == "'":
                index += 2  # '' is one ' inside single quotes
                continue
            return index
        index += 1
    return None


def _works(key: str, written: str, value: str) -> bool:
    """Whether ``key: written`` reads back as ``value`` (the fix is tried, not guessed)."""
    try:
        loaded = yaml.safe_load(f"{key}: {written}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get(key) == value


def _quote_error(text: str, path: str, line: int) -> ContentError | None:
    """A quoted text that holds its own quote mark (``"He said "join" today"``,
    ``'L'appel'``): YAML ends the text at the inner one. The fix is a form that
    reads the whole text back: the other quotes, or a block scalar."""
    lines = LINE_BREAK.split(text)
    for number in (line, line - 1):
        if not 1 <= number <= len(lines):
            continue
        match = _QUOTED_VALUE.match(lines[number - 1])
        if match is None:
            continue
        quote, rest = match["quote"], match["rest"].rstrip()
        inner = _closing_quote(rest, quote)
        last = rest.rfind(quote)
        if inner is None or last <= inner or not rest[inner + 1 : last].strip():
            continue
        value = rest[:last]
        key, indent = match["key"].strip(), match["indent"]
        if quote == '"':
            single = "'" + value.replace("'", "''") + "'"
            other = single if _works(key, single, value) else None
            what = "double quotes of its own"
        else:
            double = json.dumps(value, ensure_ascii=False)
            other = double if _works(key, double, value) else None
            what = "an apostrophe or single quote of its own"
        block = f"{key}: >-\n{' ' * (len(indent) + 2)}{value}"
        fixes = f"{key}: {other}" if other else ""
        if other and quote == '"' and "'" in value:
            fixes += " (an apostrophe inside single quotes is written twice)"
        hint = (
            f"write it {'in the other quotes, ' + fixes + ', or ' if fixes else ''}as a block "
            f"(the text on the next line, indented, with no quotes): {block}"
        )
        return ContentError(
            f"the text holds {what}, and YAML ends the text at the first of them",
            path,
            number,
            match.start("rest") + inner + 1,
            hint=hint,
        )
    return None


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
