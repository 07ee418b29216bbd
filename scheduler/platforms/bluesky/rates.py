"""Bluesky's rate limits, as points, and how it says when they reset.

A Bluesky-hosted PDS counts repository writes per account in points: 5,000 an
hour and 35,000 a day; a create costs 3, an update 2, a delete 1; a refusal is
HTTP 429 with ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (epoch seconds) headers. Sessions: 30 per 5 minutes and
300 per day per account [platforms-2026.md 5.1, 5.4]. The sandbox's windows
start from these figures.
"""

from __future__ import annotations

from datetime import timedelta

from scheduler.platforms.facts import RateLimit, RateLimits

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)
FIVE_MINUTES = timedelta(minutes=5)
SOURCE = "platforms-2026.md 5.4 (docs.bsky.app rate limits; PDS rate-limits.ts)"
SESSION_SOURCE = "platforms-2026.md 5.1 (createSession.ts)"

POINTS_PER_HOUR = 5_000
POINTS_PER_DAY = 35_000
CREATE_POINTS = 3
UPDATE_POINTS = 2
DELETE_POINTS = 1
SESSIONS_PER_5_MINUTES = 30
SESSIONS_PER_DAY = 300

BLUESKY_RATE_LIMITS = RateLimits(
    limits=(
        RateLimit("write points per account (create 3, delete 1)", POINTS_PER_HOUR, HOUR, SOURCE),
        RateLimit("write points per account (daily)", POINTS_PER_DAY, DAY, SOURCE),
        RateLimit("posts created per account", POINTS_PER_HOUR // CREATE_POINTS, HOUR, SOURCE),
        RateLimit(
            "sessions opened per account", SESSIONS_PER_5_MINUTES, FIVE_MINUTES, SESSION_SOURCE
        ),
        RateLimit("sessions opened per account (daily)", SESSIONS_PER_DAY, DAY, SESSION_SOURCE),
    ),
    reset_info="HTTP 429 with RateLimit-Reset (epoch seconds) and RateLimit-Remaining",
    # Points are counted per hour: the wait when a 429 carries no reset time.
    default_wait=HOUR,
)
