"""The campaign by day and by month, with today's and the next posts first.

:func:`load_entries` reads every publication through the store's timeline
query and groups them by post; :func:`build_calendar` is pure: it groups the
entries by local day in the campaign's zone and picks today's and the upcoming
ones for ``now``. The day view lists the days that have posts (a run of empty
days is one line, :class:`Gap`); the month view is one Monday-to-Sunday grid
per month (:class:`Month`).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from scheduler.config import CampaignConfig
from scheduler.platforms import registry
from scheduler.storage.models import UPCOMING_STATES, PublicationState
from scheduler.storage.queries import QueueFilter, TimelineRow, countdown, timeline

UPCOMING_COUNT = 6
EXCERPT_CHARS = 160
ALL_STATES = tuple(PublicationState)


@dataclass(frozen=True)
class Chip:
    """One publication of a post: where it goes and how it stands."""

    publication_id: int
    account_label: str
    platform: str
    state: str


@dataclass(frozen=True)
class Entry:
    """One post (one language version) on the calendar; ``publish_at`` is aware UTC.

    ``logo`` is the logo's path relative to the media directory (from the
    ``media.logo`` pattern); ``texts`` maps platform to the text it receives, in
    the registry's order of platforms; ``excerpt`` is the start of the first text.
    """

    post_id: str
    publish_at: datetime
    call: str
    language: str
    logo: str
    texts: tuple[tuple[str, str], ...]
    chips: tuple[Chip, ...]

    @property
    def excerpt(self) -> str:
        texts = dict(self.texts)
        text = " ".join(next(iter(texts.values()), "").split())
        if len(text) <= EXCERPT_CHARS:
            return text
        return text[: EXCERPT_CHARS - 1].rstrip() + "…"

    @property
    def waiting(self) -> bool:
        """True while any publication still waits to go out."""
        return any(chip.state in UPCOMING_STATES for chip in self.chips)


def entries_from_timeline(rows: list[TimelineRow], config: CampaignConfig) -> list[Entry]:
    """Group timeline rows (time order) into one entry per post, in the same order.

    A post's time is its earliest publication's scheduled time.
    """
    grouped: dict[str, list[TimelineRow]] = {}
    for row in rows:
        grouped.setdefault(row.post_id, []).append(row)
    entries = []
    for post_id, publications in grouped.items():
        first = publications[0]
        ordered = sorted(
            publications, key=lambda row: (registry.position(row.platform), row.account)
        )
        texts: dict[str, str] = {}
        for row in ordered:
            texts.setdefault(row.platform, row.text)
        entries.append(
            Entry(
                post_id=post_id,
                publish_at=min(row.scheduled_at for row in publications),
                call=first.call,
                language=first.language,
                logo=config.logo_path(first.language, first.call),
                texts=tuple(texts.items()),
                chips=tuple(
                    Chip(row.publication_id, row.account, row.platform, row.state)
                    for row in ordered
                ),
            )
        )
    entries.sort(key=lambda entry: (entry.publish_at, entry.post_id))
    return entries


def load_entries(session: Session, config: CampaignConfig) -> list[Entry]:
    """Every queued post, whatever its publications' states, in publish order.

    Drafts are never queued, so they are not on the calendar.
    """
    rows = timeline(session, QueueFilter(states=ALL_STATES))
    return entries_from_timeline(rows, config)


def day_marker(day: date, config: CampaignConfig) -> str:
    """``T-5d``, ``day 2`` or ``end+3d``: the timeline's countdown for local ``day``."""
    return countdown(config.campaign, config.campaign.local_midnight(day))


@dataclass(frozen=True)
class Day:
    """A local day of the campaign: ``marker`` is ``T-5d``, ``day 2`` or ``end+1d``;
    ``conference`` is True on the conference's days."""

    day: date
    marker: str
    entries: tuple[Entry, ...]
    is_today: bool
    in_window: bool
    conference: bool = False


@dataclass(frozen=True)
class Gap:
    """Days in a row with no post, shown as one line: ``first`` to ``last`` (local)."""

    first: date
    last: date

    @property
    def count(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Month:
    """One month of the campaign as Monday-to-Sunday weeks; days of the weeks that
    fall in the next or previous month are blank (``in_window`` False, no entries),
    and weeks wholly outside the campaign are left out."""

    first: date
    weeks: tuple[tuple[Day, ...], ...]

    @property
    def title(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def posts(self) -> int:
        return sum(
            len(day.entries)
            for week in self.weeks
            for day in week
            if day.day.month == self.first.month
        )


@dataclass(frozen=True)
class Calendar:
    """Everything the calendar page shows.

    ``phase`` is ``before``, ``during`` or ``after`` the campaign's days (the
    window, and any day outside it that has posts), whose first and last are
    ``first_day`` and ``last_day``; ``totals`` counts the publications by state
    (state value, count) in :data:`STATE_ORDER`, for the summary once it ended.
    ``agenda`` is the day view: the days that have posts, and a :class:`Gap`
    for each run of days without; ``months`` the month view.
    """

    today: Day
    upcoming: tuple[Entry, ...]
    days: tuple[Day, ...]
    agenda: tuple[Day | Gap, ...] = ()
    months: tuple[Month, ...] = ()
    phase: str = "during"
    first_day: date | None = None
    last_day: date | None = None
    totals: tuple[tuple[str, int], ...] = ()


STATE_ORDER = tuple(state.value for state in PublicationState)


def build_calendar(entries: list[Entry], now: datetime, config: CampaignConfig) -> Calendar:
    """Group ``entries`` (publish order) by local day for ``now`` (aware UTC).

    ``days`` holds every day of the campaign window plus any day outside it
    that has posts; ``upcoming`` the next posts still waiting after today;
    ``phase`` says whether ``now`` is before, during or after those days.
    """
    campaign = config.campaign
    zone = campaign.zone
    today = now.astimezone(zone).date()
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.publish_at.astimezone(zone).date(), []).append(entry)
    first = min([campaign.window.start, *by_day])
    last = max([campaign.window.end, *by_day])
    days = []
    day = first
    while day <= last:
        days.append(
            Day(
                day=day,
                marker=day_marker(day, config),
                entries=tuple(by_day.get(day, ())),
                is_today=day == today,
                in_window=campaign.window.start <= day <= campaign.window.end,
                conference=campaign.conference.start <= day <= campaign.conference.end,
            )
        )
        day += timedelta(days=1)
    today_entries = tuple(by_day.get(today, ()))
    upcoming = tuple(
        entry
        for entry in entries
        if entry.publish_at.astimezone(zone).date() > today and entry.waiting
    )[:UPCOMING_COUNT]
    phase = "before" if today < first else "after" if today > last else "during"
    counts = Counter(chip.state for entry in entries for chip in entry.chips)
    return Calendar(
        today=Day(today, day_marker(today, config), today_entries, True, True),
        upcoming=upcoming,
        days=tuple(days),
        agenda=_agenda(days),
        months=_months(days),
        phase=phase,
        first_day=first,
        last_day=last,
        totals=tuple((state, counts[state]) for state in STATE_ORDER if counts[state]),
    )


def _agenda(days: list[Day]) -> tuple[Day | Gap, ...]:
    """The days that have posts (and today), with each run of empty days as one Gap."""
    agenda: list[Day | Gap] = []
    empty: list[Day] = []
    for day in days:
        if day.entries or day.is_today:
            if empty:
                agenda.append(Gap(empty[0].day, empty[-1].day))
                empty = []
            agenda.append(day)
        else:
            empty.append(day)
    if empty:
        agenda.append(Gap(empty[0].day, empty[-1].day))
    return tuple(agenda)


def _months(days: list[Day]) -> tuple[Month, ...]:
    """One Monday-to-Sunday grid per month the campaign's days touch."""
    if not days:
        return ()
    known = {day.day: day for day in days}
    first, last = days[0].day, days[-1].day
    months: list[Month] = []
    year, month = first.year, first.month
    weeks_of = calendar.Calendar(firstweekday=0)
    while (year, month) <= (last.year, last.month):
        weeks = []
        for week in weeks_of.monthdatescalendar(year, month):
            row = []
            for day in week:
                found = known.get(day) if day.month == month else None
                row.append(found or Day(day, "", (), False, False))
            # A week wholly before or after the campaign would be an empty row.
            if any(day.in_window or day.entries for day in row):
                weeks.append(tuple(row))
        months.append(Month(date(year, month, 1), tuple(weeks)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)
