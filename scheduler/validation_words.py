"""Validation errors in plain words: what the campaign file and the post files
say when a value has the wrong shape.

pydantic's own messages speak of "String should match pattern '^[a-z0-9]...'"
or "Input should be a valid integer, unable to parse string": a regular
expression and a programmer's vocabulary. :func:`plain_message` turns one
pydantic error into a sentence a comms person can act on, and
:func:`yaml_kind` names what YAML read a value as ("a number", "a date"),
never a Python type.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

# What each pattern the models use means, for people. Keys are the patterns
# exactly as the models declare them (config.py), so a new pattern without
# words here falls back to a generic sentence, never to the expression.
PATTERN_WORDS: dict[str, str] = {
    r"^[a-z0-9][a-z0-9-]*$": (
        "may hold only lowercase letters, digits and hyphens, starting with a letter or digit "
        "(like `x-main` or `ccm-2027`)"
    ),
    r"^#\w+$": "must be one word starting with # (like #StopClusterBombsNow), with no spaces",
    r"^v\d{1,2}\.\d$": 'must be a Graph API version like "v25.0", in double quotes',
}

_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 error``, ``3 errors``: never ``error(s)``."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def listed(items: Iterable[str]) -> str:
    """``a, b and c``: a list in words, never a Python list."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def yaml_kind(value: Any) -> str:
    """What YAML read ``value`` as, in words: "a number", "a date", "true or false"..."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time of day"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of keys"
    if value is None:
        return "nothing (an empty value)"
    return "text"


def date_example(value: Any) -> str:
    """The fix for a date written another way: year-month-day, with the value
    itself rewritten when it reads as day/month/year (``23/11/2020``); the
    example keeps the value's own year when it has one."""
    text = str(value)
    written_year = re.search(r"\b(\d{4})\b", text)
    example = f"{written_year[1] if written_year else date.today().year}-11-23"
    match = _DAY_MONTH_YEAR.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            fixed = date(year, month, day)
        except ValueError:
            pass
        else:
            return (
                f'write dates year-month-day, in double quotes: "{fixed:%Y-%m-%d}" '
                f"({fixed.day} {fixed:%B} {fixed.year}); {text} reads as day/month/year, "
                "which is ambiguous"
            )
    return f'write the date year-month-day, in double quotes, like "{example}"'


def plain_message(item: Mapping[str, Any], field: str) -> tuple[str, str | None]:
    """``(message, fix)`` for one pydantic error ``item`` about ``field``
    (the key's name). The fix is None when the message says it all."""
    kind = str(item.get("type", ""))
    context: Mapping[str, Any] = item.get("ctx") or {}
    value = item.get("input")
    named = f"`{field}`"
    if kind == "missing":
        return f"{named} is missing", f"add `{field}:`"
    if kind == "value_error":
        return str(item.get("msg", "")).removeprefix("Value error, "), None
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(context.get("pattern", "")))
        return f"{named} {words or 'is not written the way this setting needs'}", None
    if kind in ("string_type", "string_sub_type"):
        return f"{named} must be text, but YAML read {yaml_kind(value)}", None
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{named} must be a whole number, not {_shown(value)}", None
    if kind in ("float_parsing", "float_type"):
        return f"{named} must be a number, not {_shown(value)}", None
    if kind in ("bool_parsing", "bool_type"):
        return f"{named} must be true or false, not {_shown(value)}", None
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = context.get("ge", context.get("gt", context.get("le", context.get("lt"))))
        relation = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        shown_bound = f"{bound:g}" if isinstance(bound, float) else str(bound)
        return f"{named} must be {relation} {shown_bound}, not {_shown(value)}", None
    if kind in (
        "date_parsing",
        "date_from_datetime_parsing",
        "date_type",
        "date_from_datetime_inexact",
    ):
        return f"{named} is not a date: {_shown(value)}", date_example(value)
    if kind == "literal_error":
        expected = str(context.get("expected", "")).replace("'", "")
        choices = re.split(r",\s*|\s+or\s+", expected)
        match = closest(str(value), choices) if isinstance(value, str) else None
        hint = f"did you mean {match!r}?" if match else None
        return f"{named} must be {expected}, not {_shown(value)}", hint
    if kind == "too_short":
        return f"{named} must not be empty", None
    if kind in ("list_type", "list_of_type"):
        return f"{named} must be a list (like [en, fr]), not {yaml_kind(value)}", None
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{named} must be a set of keys (each `name: value` on its own line)", None
    if kind in ("enum", "union_tag_invalid"):
        return f"{named} is not one of the values it takes: {_shown(value)}", None
    words = str(item.get("msg", "")).replace("Input should be", "must be")
    return f"{named}: {words}", None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | dict):
        return yaml_kind(value)
    return str(value)


def _folded(word: str) -> str:
    return re.sub(r"[\s_\-.]+", "", word.casefold())


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be, or None.

    Case, spaces, hyphens and underscores do not count (``Late-Grace-Min`` is
    ``late_grace_min``); then the closest spelling (``txet`` is ``text``); then a
    choice that contains the word or is contained in it (``grace`` is
    ``late_grace_min``), when only one does.
    """
    options = [str(choice) for choice in choices]
    folded = {_folded(option): option for option in options}
    key = _folded(word)
    if not key:
        return None
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    if close:
        return folded[close[0]]
    containing = [
        option for fold, option in folded.items() if len(key) >= 3 and (key in fold or fold in key)
    ]
    return containing[0] if len(containing) == 1 else None
