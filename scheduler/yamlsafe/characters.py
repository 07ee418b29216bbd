"""Characters that are not what they look like: invisible ones, line breaks an
editor does not show, and look-alikes of the characters YAML and the platforms
read (``＃`` is not ``#``, a Cyrillic ``а`` is not a Latin ``a``).

Text copied out of a web page, a PDF or a word processor brings them along.
:func:`find_characters` names each at its line and column, as an editor
counts them (only ``\\n``, ``\\r\\n`` and ``\\r`` end a line there), so the
person can find and delete it; the loader reports them as errors, and in place
of a syntax error they caused (YAML takes U+2028 for a line break).

Where a character sits decides whether it is a mistake:

- anywhere, even in a comment: U+2028, U+2029 and U+0085, line breaks to YAML
  that most editors show as nothing;
- in keys and values: invisible characters (zero-width spaces and joiners,
  word joiners, a byte order mark, soft hyphens, direction marks), the
  full-width ``＃`` and ``＠`` (no platform makes them a hashtag or a mention),
  and a Cyrillic or Greek letter inside a Latin word;
- in keys and indentation only: non-breaking and other unusual spaces, and
  every full-width form (``ｃａｌｌ：``); in a post's text these are typography
  (French puts a non-breaking space before ``!``) or another script's
  punctuation, and stay.

A zero-width joiner between two emoji builds one emoji (👩‍👩‍👧) and is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

LINE_END = re.compile(r"\r\n|\r|\n")

# Line breaks to YAML that an editor shows as nothing (or a blank square).
HIDDEN_BREAKS = frozenset("\u2028\u2029\u0085")
# Invisible characters that change what a word is without showing.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u180e\u2061\u2062\u2063\u2064"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Spaces that are not the space YAML indents and separates with.
ODD_SPACES = frozenset(
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
# Look-alikes that break a hashtag or a mention wherever they are.
BROKEN_MARKS = {"\uff03": "#", "\uff20": "@"}
# Scripts whose letters look like Latin ones (а е о р с у х і ѕ ј, Greek ο α ε ι ν).
_CONFUSABLE_SCRIPTS = ("CYRILLIC", "GREEK")
_WORD = re.compile(r"\w+", re.UNICODE)
# One search finds every candidate, so a clean file costs one pass in C.
_SUSPICIOUS = re.compile(
    "["
    + re.escape("".join(sorted(HIDDEN_BREAKS | INVISIBLE | ODD_SPACES | set(BROKEN_MARKS))))
    + "\uff01-\uff5e]"
)
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u03ff\u0400-\u04ff]")


@dataclass(frozen=True)
class Finding:
    """One character that is not what it looks like: 1-based ``line`` and
    ``column`` as an editor counts them, ``offset`` in the text, what it is
    (``message``) and the fix (``hint``)."""

    offset: int
    line: int
    column: int
    character: str
    message: str
    hint: str


# Control characters have no name in the Unicode database; these do in the standard.
_CONTROL_NAMES = {"\u0085": "next line"}


def describe(character: str) -> str:
    """``U+200B (zero width space)``: the code and name of ``character``."""
    name = _CONTROL_NAMES.get(character) or unicodedata.name(character, "").lower()
    name = name or "a character without a name"
    return f"U+{ord(character):04X} ({name})"


def _position(text: str, offset: int) -> tuple[int, int]:
    starts = [0] + [match.end() for match in LINE_END.finditer(text, 0, offset)]
    return len(starts), offset - starts[-1] + 1


def _is_emoji(character: str) -> bool:
    return unicodedata.category(character) == "So" or 0x1F000 <= ord(character) <= 0x1FAFF


def _joins_emoji(text: str, offset: int) -> bool:
    before = text[offset - 1] if offset > 0 else ""
    after = text[offset + 1] if offset + 1 < len(text) else ""
    # A variation selector may sit between the emoji and the joiner.
    if before and 0xFE00 <= ord(before) <= 0xFE0F and offset > 1:
        before = text[offset - 2]
    return bool(before and after) and _is_emoji(before) and _is_emoji(after)


def _confusable_letters(word: str) -> Iterator[tuple[int, str, str]]:
    """(index, letter, script) of each Cyrillic or Greek letter in a word whose
    other letters are Latin."""
    scripts = {unicodedata.name(ch, "").split(" ")[0] for ch in word if ch.isalpha()}
    if "LATIN" not in scripts:
        return
    for index, character in enumerate(word):
        script = unicodedata.name(character, "").split(" ")[0]
        if character.isalpha() and script in _CONFUSABLE_SCRIPTS:
            yield index, character, script.capitalize()


def worth_a_look(text: str) -> bool:
    """Whether ``text`` holds any character :func:`find_characters` might report
    (one pass in C; a clean file stops here)."""
    return bool(_SUSPICIOUS.search(text) or _GREEK_OR_CYRILLIC.search(text))


def find_characters(
    text: str, regions: Iterable[tuple[int, int, str]] | None = None
) -> list[Finding]:
    """Every character of ``text`` that is not what it looks like, in order.

    ``regions`` are ``(start, end, role)`` spans of the text, ``role`` being
    ``key`` or ``value`` (where the loader found keys and values); offsets in
    no region are indentation, structure or comments. None (a file YAML could
    not read, so keys and values are unknown) reports what could be either,
    and unusual spaces only in the indentation.
    """
    spans = sorted(regions) if regions is not None else [(0, len(text), "unknown")]
    found: list[Finding] = []

    def role_at(offset: int) -> str | None:
        for start, end, role in spans:
            if start <= offset < end:
                return role
        return None

    def add(offset: int, character: str, message: str, hint: str) -> None:
        line, column = _position(text, offset)
        found.append(Finding(offset, line, column, character, message, hint))

    for match in _SUSPICIOUS.finditer(text):
        offset, character = match.start(), match.group()
        line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
        role = role_at(offset)
        in_indentation = not text[line_start:offset].strip("".join(ODD_SPACES) + " ")
        if character in HIDDEN_BREAKS:
            add(
                offset,
                character,
                f"an invisible line break, {describe(character)}: YAML starts a new line here "
                "where the editor shows none",
                "delete it (press Enter if a new line is meant); it comes with text copied "
                "from a web page, a PDF or a word processor",
            )
        elif character in INVISIBLE:
            if role is None or (character == "\u200d" and _joins_emoji(text, offset)):
                continue
            if character == "\ufeff" and offset == 0:
                continue
            before = text[max(offset - 12, line_start) : offset]
            after = LINE_END.split(text[offset + 1 : offset + 13], maxsplit=1)[0]
            add(
                offset,
                character,
                f"an invisible character, {describe(character)}, between {before!r} and {after!r}",
                "delete it: it cannot be seen, but it splits the word for the platforms (a "
                "hashtag stops there) and makes the value another one",
            )
        elif character in BROKEN_MARKS:
            if role is None:
                continue
            add(
                offset,
                character,
                f"{describe(character)} looks like {BROKEN_MARKS[character]} but is another "
                "character: X and Facebook do not read it as a hashtag or a mention",
                f"type {BROKEN_MARKS[character]} instead",
            )
        elif (
            role == "key"
            or (role is None and in_indentation)
            or (role == "unknown" and (in_indentation or character not in ODD_SPACES))
        ):
            plain = unicodedata.normalize("NFKC", character)
            looks = "a space" if plain.isspace() else repr(plain)
            add(
                offset,
                character,
                f"{describe(character)} looks like {looks} but YAML does not read it as one"
                + (" (in the indentation)" if role is None else ""),
                f"type {looks} instead" if looks != "a space" else "type plain spaces instead",
            )
    for start, end, _role in spans if _GREEK_OR_CYRILLIC.search(text) else ():
        for word in _WORD.finditer(text, start, end):
            for index, letter, script in _confusable_letters(word.group()):
                offset = word.start() + index
                add(
                    offset,
                    letter,
                    f"the {script} letter {letter} in {word.group()!r} looks like a Latin "
                    f"letter but is another, {describe(letter)}",
                    f"retype {word.group()!r} on a Latin keyboard",
                )
    found.sort(key=lambda finding: finding.offset)
    return _merged(text, found)


def _merged(text: str, found: list[Finding]) -> list[Finding]:
    """Runs of look-alikes side by side (``ｃａｌｌ：``, two non-breaking spaces) as
    one finding, at the first of them."""
    merged: list[Finding] = []
    run: list[Finding] = []

    def close() -> None:
        if len(run) == 1:
            merged.append(run[0])
        elif run:
            first = run[0]
            written = "".join(finding.character for finding in run)
            plain = unicodedata.normalize("NFKC", written)
            names = ", ".join(sorted({describe(ch) for ch in written}))
            if plain.strip():
                message = (
                    f"{written!r} looks like {plain!r} but is written in other characters "
                    f"({names}), which YAML does not read as such"
                )
                hint = f"type {plain!r} instead"
            else:
                message = (
                    f"{len(run)} characters that look like spaces but are not ({names}): "
                    "YAML does not read them as spaces"
                )
                hint = "type plain spaces instead"
            merged.append(Finding(first.offset, first.line, first.column, written, message, hint))
        run.clear()

    for finding in found:
        lookalike = finding.message.startswith("U+") and "looks like" in finding.message
        if lookalike and run and run[-1].offset + 1 == finding.offset:
            run.append(finding)
            continue
        close()
        if lookalike:
            run.append(finding)
        else:
            merged.append(finding)
    close()
    return merged
