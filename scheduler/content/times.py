"""Publish times as people write them, turned into aware UTC instants.

Accepted forms (``HH:MM`` is 24-hour local time in the campaign's timezone,
seconds optional):

=====================================  ==========================================
``"2020-11-02 09:00"``                 local time (``T`` instead of the space too)
``"2020-11-02T09:00+01:00"``           with an offset (``Z``, ``+01:00``, ``+0100``)
``"day 2 at 12:00"``                   the conference's second day (day 1 = start)
``"3 days before the conference at     counted back from the conference's first
09:00"`` (also ``1 week``, ``weeks``)  day
``"+30 min"``, ``"+1 h"``              only in a language version: after the
                                       message's time
=====================================  ==========================================

Local times that do not exist or happen twice at a DST change are errors that
show both readings; an explicit offset that is not the campaign zone's offset
on that date is a warning (the post is still published at the written instant).
A date without a time and any number are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from scheduler.clock import CALENDAR_RANGE, in_calendar
from scheduler.config import Campaign
from scheduler.content.time_words import (
    example_day,
    forms,
    impossible_date_words,
    offset_text,
    other_order_words,
)

__all__ = [
    "CLOCK_ONLY", "PublishTime", "TimeError", "TimeWarning", "complete_time_hint",
    "example_day", "forms", "local_instant", "parse_publish_time",
]  # fmt: skip

_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
_ABSOLUTE = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    rf"(?:(?:[Tt]|\s+){_CLOCK})?"
    r"\s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_CONFERENCE_DAY = re.compile(rf"^day\s+(?P<number>\d+)(?:\s+at\s+{_CLOCK})?$", re.IGNORECASE)
_BEFORE = re.compile(
    r"^(?P<count>\d+)\s+(?P<unit>days?|weeks?)\s+before\s+(?:the\s+)?conference"
    rf"(?:\s+at\s+{_CLOCK})?$",
    re.IGNORECASE,
)
_AFTER_MESSAGE = re.compile(
    r"^\+\s*(?P<count>\d+)\s*(?P<unit>m|min|mins|minutes?|h|hours?)$", re.IGNORECASE
)
CLOCK_ONLY = re.compile(rf"^{_CLOCK}$")


class TimeError(ValueError):
    """A publish time that cannot be used; ``rule`` names the check, ``hint`` the fix."""

    def __init__(self, rule: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class TimeWarning:
    """A publish time that works but is probably not what was meant."""

    rule: str
    message: str
    hint: str


@dataclass(frozen=True)
class PublishTime:
    """The instant (aware UTC) a time means, with any warnings about it."""

    instant: datetime
    warnings: tuple[TimeWarning, ...] = field(default=())


def parse_publish_time(
    value: object, campaign: Campaign, message_time: datetime | None = None
) -> PublishTime:
    """Read ``value`` (as loaded from YAML) as a publish time of ``campaign``.

    ``message_time`` (aware) is what ``"+30 min"`` counts from; without it that
    form is an error. Does not check the campaign window
    (:func:`scheduler.content.resolve.check_window` does).

    :raises TimeError: for numbers, dates without times, unreadable text, times
        beyond the calendar and local times that fall in a DST gap or overlap.
    """
    try:
        found = _parse_publish_time(value, campaign, message_time)
    except OverflowError:
        found = None
    if found is None or not in_calendar(found.instant):
        raise TimeError(
            "time-format",
            f"{str(value).strip()!r} is beyond the calendar",
            f"write a date {CALENDAR_RANGE}, e.g. {forms(campaign)}",
        )
    return found


def _parse_publish_time(
    value: object, campaign: Campaign, message_time: datetime | None
) -> PublishTime:
    if isinstance(value, bool) or not isinstance(value, str):
        shown = "a true/false value" if isinstance(value, bool) else f"the number {value!r}"
        raise TimeError(
            "time-type",
            f"{shown} is not a publish time",
            f"write the date and time in double quotes, e.g. {forms(campaign)}",
        )
    text = value.strip()
    zone = campaign.zone
    if match := _ABSOLUTE.match(text):
        day = _date(match, text)
        if match["hour"] is None:
            raise TimeError(
                "time-date-only",
                f"{text!r} is a date without a time",
                f'add the local time: "{text} 09:00"',
            )
        naive = _naive(day, match, text)
        offset = match["offset"]
        if offset is None:
            return PublishTime(local_instant(naive, zone, text))
        return _with_offset(naive, offset, zone, text)
    if match := _CONFERENCE_DAY.match(text):
        number = int(match["number"])
        length = (campaign.conference.end - campaign.conference.start).days + 1
        if not 1 <= number <= length:
            raise TimeError(
                "time-format",
                f"the conference has days 1 to {length}; there is no day {number}",
                f"use a day from 1 ({campaign.conference.start}) to {length} "
                f"({campaign.conference.end}), or a date",
            )
        _require_clock(match, text, f'"day {number} at 09:00"')
        day = campaign.conference.start + timedelta(days=number - 1)
        return PublishTime(local_instant(_naive(day, match, text), zone, text))
    if match := _BEFORE.match(text):
        days = int(match["count"]) * (7 if match["unit"].lower().startswith("week") else 1)
        _require_clock(match, text, f'"{text} at 09:00"')
        day = campaign.conference.start - timedelta(days=days)
        return PublishTime(local_instant(_naive(day, match, text), zone, text))
    if match := _AFTER_MESSAGE.match(text):
        if message_time is None:
            raise TimeError(
                "time-format",
                f"{text!r} counts from the message's time, which only a language version has",
                f"write the time in full, e.g. {forms(campaign)}",
            )
        minutes = int(match["count"]) * (60 if match["unit"].lower().startswith("h") else 1)
        return PublishTime(message_time + timedelta(minutes=minutes))
    if CLOCK_ONLY.match(text):
        raise TimeError(
            "time-format",
            f"{text!r} gives the time of day but not the day",
            complete_time_hint(text, campaign, in_version=message_time is not None),
        )
    other_order = other_order_words(text)
    if other_order is not None:
        raise TimeError("time-format", *other_order)
    raise TimeError(
        "time-format",
        f"cannot read {text!r} as a publish time",
        f'write one of {forms(campaign)} (in a language version also "+30 min")',
    )


def complete_time_hint(clock: str, campaign: Campaign, *, in_version: bool) -> str:
    """The fix for a time of day written without its day (``10:00``).

    Suggests complete times on the conference's first day, in two spellings,
    and for a language version the relative form, e.g. ``add the day, in double
    quotes: "2020-11-23 10:00" or "day 1 at 10:00"``.
    """
    hour, _, rest = clock.partition(":")
    shown = f"{int(hour):02d}:{rest}" if hour.isdigit() and rest else clock
    start = campaign.conference.start
    hint = f'add the day, in double quotes: "{start:%Y-%m-%d} {shown}" or "day 1 at {shown}"'
    if in_version:
        hint += ' (or "+30 min" to count from the message\'s time)'
    return hint


def local_instant(naive: datetime, zone: ZoneInfo, written: str) -> datetime:
    """The UTC instant of local time ``naive`` in ``zone``.

    :raises TimeError: when ``naive`` does not exist (clocks jump forward) or
        happens twice (clocks go back); the message gives both readings.
    """
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    readings = " or ".join(_reading(moment) for moment in (first, second))
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive
    if exists:
        raise TimeError(
            "dst-ambiguous",
            f"{written!r} happens twice in {zone.key} (the clocks go back that night): "
            f"it could be {readings}",
            f'add the offset you mean: "{_iso(first)}" or "{_iso(second)}"',
        )
    after = first.astimezone(UTC).astimezone(zone)
    raise TimeError(
        "dst-gap",
        f"{written!r} does not exist in {zone.key} (the clocks jump forward that night): "
        f"it could be read as {readings}",
        f'pick a time outside the jump, e.g. "{after:%Y-%m-%d %H:%M}", or write an offset',
    )


def _reading(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{_iso(moment)} ({utc:%H:%M} UTC)"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _with_offset(naive: datetime, written_offset: str, zone: ZoneInfo, text: str) -> PublishTime:
    offset = _parse_offset(written_offset, text)
    instant = naive.replace(tzinfo=timezone(offset)).astimezone(UTC)
    zone_offset = instant.astimezone(zone).utcoffset()
    warnings: tuple[TimeWarning, ...] = ()
    if zone_offset != offset:
        local = instant.astimezone(zone)
        warnings = (
            TimeWarning(
                "offset",
                f"the offset {offset_text(offset)} in {text!r} is not {zone.key}'s offset on "
                f"{naive:%Y-%m-%d} ({offset_text(zone_offset)}): the post goes out at "
                f"{local:%H:%M} local time",
                f"if you meant {naive:%H:%M} local time, write "
                f'"{naive:%Y-%m-%d %H:%M}{offset_text(zone_offset)}" or leave the offset out',
            ),
        )
    return PublishTime(instant, warnings)


def _parse_offset(written: str, text: str) -> timedelta:
    if written in ("Z", "z"):
        return timedelta(0)
    sign = -1 if written[0] == "-" else 1
    digits = written[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise TimeError(
            "time-format", f"the offset {written} in {text!r} is not valid", 'write e.g. "+01:00"'
        )
    return sign * timedelta(hours=hours, minutes=minutes)


def _date(match: re.Match[str], text: str) -> date:
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeError("time-format", *impossible_date_words(text, year, month, day)) from None


def _naive(day: date, match: re.Match[str], text: str) -> datetime:
    try:
        return datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        raise TimeError(
            "time-format",
            f"{text!r} has no such time of day",
            "write the time as HH:MM on a 24-hour clock, from 00:00 to 23:59",
        ) from None


def _require_clock(match: re.Match[str], text: str, example: str) -> None:
    if match["hour"] is None:
        raise TimeError(
            "time-date-only", f"{text!r} names a day without a time", f"write {example}"
        )
