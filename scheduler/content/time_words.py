"""How time errors speak: examples in the campaign's own year, and what to write
when a date is in another order or does not exist.

Pure wording for :mod:`scheduler.content.times` (which raises the errors and
knows the forms it reads): each function returns a message and its fix.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from scheduler.config import Campaign

_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
# Dates people write in other orders: 02/11/2020, 2.11.2020, 02-11-2020, with a time or not.
_DAY_MONTH_YEAR = re.compile(
    r"^(?P<first>\d{1,2})[./-](?P<then>\d{1,2})[./-](?P<year>\d{4})"
    rf"(?:(?:[Tt]|\s+)(?:at\s+)?{_CLOCK})?$"
)
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_NAMED_MONTH = re.compile(
    rf"^(?P<day>\d{{1,2}})\s+(?P<month>{'|'.join(_MONTH_NAMES)})\s+(?P<year>\d{{4}})"
    rf"(?:,?\s+(?:at\s+)?{_CLOCK})?$",
    re.IGNORECASE,
)


def offset_text(offset: timedelta | None) -> str:
    """``+01:00``: a UTC offset as a time string writes it."""
    total = int((offset or timedelta(0)).total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def example_day(campaign: Campaign) -> date:
    """A day to show in examples: three weeks before the conference, in its year."""
    return campaign.conference.start - timedelta(days=21)


def forms(campaign: Campaign) -> str:
    """The accepted forms, as examples in the campaign's own dates and offset."""
    day = example_day(campaign)
    local = datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=campaign.zone)
    offset = offset_text(local.utcoffset())
    return (
        f'"{day:%Y-%m-%d} 09:00" (local time), "{day:%Y-%m-%dT09:00}{offset}", '
        '"day 2 at 12:00" or "3 days before the conference at 09:00"'
    )


def other_order_words(text: str) -> tuple[str, str] | None:
    """(message, fix) for a date written day/month/year (``02/11/2020 09:00``) or
    with the month's name (``2 November 2020 09:00``): the year-month-day form it
    must take, with both readings when the day and month could be swapped. None
    when ``text`` is neither."""
    clock = "09:00"
    if match := _NAMED_MONTH.match(text):
        readings = [(int(match["day"]), _MONTH_NAMES.index(match["month"].lower()) + 1)]
    elif match := _DAY_MONTH_YEAR.match(text):
        first, then = int(match["first"]), int(match["then"])
        readings = [(first, then), (then, first)] if first != then else [(first, then)]
    else:
        return None
    if match["hour"] is not None:
        clock = f"{int(match['hour']):02d}:{match['minute']}"
    year = int(match["year"])
    valid: list[date] = []
    for day_number, month in readings:
        try:
            valid.append(date(year, month, day_number))
        except ValueError:
            continue
    if not valid:
        return None
    written = [f'"{day:%Y-%m-%d} {clock}" ({day.day} {day:%B %Y})' for day in valid]
    hint = "write it year-month-day, in double quotes: " + " or ".join(written)
    if len(valid) == 2:
        hint += "; the day and the month could be either way round, so say which"
    why = (
        ""
        if _NAMED_MONTH.match(text)
        else "; dates are read only that way, so that 02/11 is never taken for 11 February "
        "when 2 November was meant"
    )
    return f"{text!r} is not written year-month-day{why}", hint


def impossible_date_words(text: str, year: int, month: int, day: int) -> tuple[str, str]:
    """(message, fix) for a year-month-day that does not exist (``2020-11-31``):
    why, and the swapped reading when the day and month were switched."""
    if 1 <= month <= 12:
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        why = f"{date(year, month, 1):%B %Y} has {last} days"
    else:
        why = "there are 12 months"
    hint = "dates are written year-month-day"
    if 1 <= day <= 12 and 1 <= month <= 31:
        try:
            swapped = date(year, day, month)
        except ValueError:
            pass
        else:
            hint += f'; if you meant {swapped.day} {swapped:%B %Y}, write "{swapped:%Y-%m-%d}"'
    return f"{text!r} is not a real date: {why}", f"check the day and month ({hint})"


def year_typo_hint(local: datetime, campaign: Campaign) -> str | None:
    """The fix for a time outside the window whose day and time, in one of the
    campaign's years, would fit: the year is a typo (``2002`` for ``2020``)."""
    for year in range(campaign.window.start.year, campaign.window.end.year + 1):
        if year == local.year:
            continue
        try:
            moved = local.replace(year=year)
        except ValueError:
            continue
        if campaign.window_start <= moved < campaign.window_end:
            return (
                f"the year {local.year} looks like a typo for {year}, the campaign's: "
                f'write "{moved:%Y-%m-%d %H:%M}"'
            )
    return None
