"""X's rate limits and caps, and how X says when they reset (platforms.md 1.2).

The sandbox's windows (:mod:`scheduler.platforms.x.sandbox.limits`) start from
these figures, so the stand-in and the product state one set of facts.
"""

from __future__ import annotations

from datetime import timedelta

from scheduler.platforms.facts import RateLimit, RateLimits

FIFTEEN_MINUTES = timedelta(minutes=15)
DAY = timedelta(hours=24)
SOURCE = "platforms.md 1.2 (docs.x.com rate limits, 2026)"

# POST /2/tweets: per user per 15 minutes, per app per 24 hours (current table);
# the 24-hour user cap is the Basic-tier figure, reported in x-user-limit-24hour-*.
CREATE_PER_USER_15M = 100
CREATE_PER_USER_24H = 100
CREATE_PER_APP_24H = 10_000
DELETE_PER_USER_15M = 50
ME_PER_USER_15M = 75
TIMELINE_PER_USER_15M = 900
LOOKUP_PER_USER_15M = 900
MEDIA_UPLOAD_PER_USER_15M = 500
MEDIA_CHUNK_PER_USER_15M = 1875
MEDIA_STATUS_PER_USER_15M = 1000

X_RATE_LIMITS = RateLimits(
    limits=(
        RateLimit("posts created per user", CREATE_PER_USER_15M, FIFTEEN_MINUTES, SOURCE),
        RateLimit("posts created per user (24-hour cap)", CREATE_PER_USER_24H, DAY, SOURCE),
        RateLimit("posts created per app", CREATE_PER_APP_24H, DAY, SOURCE),
        RateLimit("timeline reads per user", TIMELINE_PER_USER_15M, FIFTEEN_MINUTES, SOURCE),
        RateLimit("media uploads per user", MEDIA_UPLOAD_PER_USER_15M, FIFTEEN_MINUTES, SOURCE),
    ),
    reset_info=(
        "x-rate-limit-reset (epoch seconds) on every answer; a spent 24-hour cap in "
        "x-user-limit-24hour-reset / x-app-limit-24hour-reset; no Retry-After"
    ),
    # Limits are counted per 15 minutes: the wait when a 429 carries no reset time.
    default_wait=FIFTEEN_MINUTES,
)
