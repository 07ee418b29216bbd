"""How the dashboard writes times, states and the countdown.

Every datetime arrives aware UTC (from the store or the clock) and is converted
to the campaign's zone only here, for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.clock import duration_words
from scheduler.config import Campaign
from scheduler.platforms import registry

STATE_LABELS = {
    "pending": "pending",
    "publishing": "publishing",
    "published": "published",
    "retrying": "retrying",
    "failed": "failed",
    "missed": "missed",
    "cancelled": "cancelled",
    "needs_review": "needs review",
    "withdrawn": "withdrawn",
}


def platform_name(platform: str) -> str:
    """A platform key as people write it (its profile's ``display_name``: ``x`` ->
    ``X``); an unknown key unchanged."""
    return registry.display_name(platform)


def platforms_css() -> str:
    """The stylesheet of the platform badges: each profile's ``badge_colour``."""
    return "".join(
        f".platform-{profile.key} {{ background: {profile.badge_colour}; }}\n"
        for profile in registry.profiles()
    )


def state_label(state: str) -> str:
    """A publication state as a person reads it (``needs_review`` -> ``needs review``)."""
    return STATE_LABELS.get(state, state)


def local_time(instant: datetime, zone: ZoneInfo) -> str:
    """``14:30``: the wall-clock time in ``zone`` of the aware ``instant``."""
    return instant.astimezone(zone).strftime("%H:%M")


def local_day(day: date) -> str:
    """``Mon 23 Nov``."""
    return f"{day:%a} {day.day} {day:%b}"


def local_datetime(instant: datetime | None, zone: ZoneInfo) -> str:
    """``Mon 23 Nov 2020, 14:30 CET`` (empty for None): date, time and zone abbreviation."""
    if instant is None:
        return ""
    moment = instant.astimezone(zone)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M %Z}"


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``12 min``, ``3 h 5 min``, ``2 d 4 h``
    (:func:`scheduler.clock.duration_words`, which the check's messages use too)."""
    return duration_words(seconds)


def real_duration(seconds: float) -> str:
    """``12 ms`` under a second, else as :func:`duration`."""
    return f"{seconds * 1000:.0f} ms" if abs(seconds) < 1 else duration(seconds)


def span_words(seconds: float, speed: float | None) -> str:
    """A span of campaign time (a lateness, how long a call took) for people.

    For a real campaign (``speed`` None) it is what it is: ``10 min``. In a
    rehearsal whose clock ran ``speed`` times faster, the real time comes
    first, so it never reads as a slow daemon: ``12 ms real time = 10 min of
    campaign time at 50,000x``.
    """
    if speed is None:
        return duration(seconds)
    return (
        f"{real_duration(seconds / speed)} real time = "
        f"{duration(seconds)} of campaign time at {speed:,.0f}x"
    )


def relative(instant: datetime | None, now: datetime) -> str:
    """``in 3 h 5 min`` or ``12 min ago`` from ``now`` (both aware); empty for None."""
    if instant is None:
        return ""
    seconds = (instant - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    return f"in {duration(seconds)}" if seconds > 0 else f"{duration(seconds)} ago"


@dataclass(frozen=True)
class Countdown:
    """Where ``now`` stands relative to the conference.

    ``phase`` is ``before``, ``during`` or ``after``; ``headline`` is the big text
    (``T-5d 3h``, ``Day 2 of 5``, ``Ended``); ``detail`` a sentence for people.
    """

    phase: str
    headline: str
    detail: str


def countdown(now: datetime, campaign: Campaign) -> Countdown:
    """The countdown to the conference at ``now``, in the campaign's zone.

    Before it the headline is the timeline's day count (``T-5d``: local days to
    the opening day, as ``campaign timeline`` prints it) and the detail gives
    the exact time left; during it, ``Day 2 of 5``.
    """
    conference = campaign.conference
    starts = campaign.conference_start
    ends = campaign.local_midnight(conference.end + timedelta(days=1))
    total_days = (conference.end - conference.start).days + 1
    today = now.astimezone(campaign.zone).date()
    if now < starts:
        headline = f"T-{(conference.start - today).days}d"
        opening = local_datetime(starts, campaign.zone)
        detail = f"{conference.name} opens {opening}, {relative(starts, now)}"
        return Countdown("before", headline, detail)
    if now < ends:
        number = (today - conference.start).days + 1
        return Countdown(
            "during", f"Day {number} of {total_days}", f"{conference.name} is in session"
        )
    closed = f"{local_day(conference.end)} {conference.end.year}"
    return Countdown("after", "Ended", f"{conference.name} closed on {closed}")
