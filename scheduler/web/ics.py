"""The schedule as an iCalendar feed (RFC 5545) a team calendar can subscribe to.

One event per queued post (one language version), at its publish time in UTC,
lasting :data:`EVENT_MINUTES`; a post whose publications are all cancelled is
``STATUS:CANCELLED``. Built with the ``icalendar`` library from the same
entries as the calendar page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from scheduler.config import CampaignConfig
from scheduler.web.calendar import Entry
from scheduler.web.formatting import platform_name, state_label

EVENT_MINUTES = 15
PRODUCT_ID = "-//campaign-scheduler//dashboard//EN"


def _summary(entry: Entry, config: CampaignConfig) -> str:
    wording = config.calls.get(entry.call, {}).get(entry.language, entry.call)
    places = ", ".join(
        f"{platform_name(chip.platform)} {chip.account_label} ({state_label(chip.state)})"
        for chip in entry.chips
    )
    return f"[{entry.language.upper()}] {wording} · {places}"


def _description(entry: Entry, page_url: str) -> str:
    parts = [f"{platform_name(platform)}:\n{text}" for platform, text in entry.texts]
    parts.append(f"Dashboard: {page_url}")
    return "\n\n".join(parts)


def schedule_ics(
    entries: list[Entry],
    config: CampaignConfig,
    now: datetime,
    post_url: Callable[[str], str],
) -> bytes:
    """The feed as bytes (``text/calendar``).

    ``entries`` come from :func:`scheduler.web.calendar.load_entries`;
    ``post_url`` turns a post id into the absolute URL of its dashboard page;
    ``now`` (aware UTC) stamps every event. UIDs are the post ids, so a moved
    post moves in the subscriber's calendar instead of appearing twice.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", config.campaign.name)
    calendar.add("x-wr-timezone", config.campaign.timezone)
    for entry in entries:
        url = post_url(entry.post_id)
        cancelled = all(chip.state == "cancelled" for chip in entry.chips)
        event = Event()
        event.add("uid", f"{entry.post_id}@campaign-scheduler")
        event.add("dtstamp", now)
        event.add("dtstart", entry.publish_at)
        event.add("dtend", entry.publish_at + timedelta(minutes=EVENT_MINUTES))
        event.add("summary", _summary(entry, config))
        event.add("description", _description(entry, url))
        event.add("url", url)
        event.add("categories", [entry.call, entry.language])
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
