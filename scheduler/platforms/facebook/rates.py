"""Facebook's rate limits, and how the Graph API says when they reset (platforms.md 2.3, 2.4)."""

from __future__ import annotations

from datetime import timedelta

from scheduler.platforms.facts import RateLimit, RateLimits

# The wait when a throttling error carries no estimated_time_to_regain_access.
DEFAULT_WAIT = timedelta(minutes=15)

FACEBOOK_RATE_LIMITS = RateLimits(
    limits=(
        RateLimit(
            "calls per Page (times its engaged users)",
            4800,
            timedelta(hours=24),
            "platforms.md 2.4 (Facebook blog, 2016-06-16)",
        ),
        RateLimit(
            "calls per app (times its users)",
            200,
            timedelta(hours=1),
            "platforms.md 2.4 (legacy table)",
        ),
    ),
    reset_info=(
        "error codes 4, 17, 32, 341, 613 or 80001; estimated_time_to_regain_access "
        "(minutes) in X-Business-Use-Case-Usage, X-App-Usage or X-Page-Usage"
    ),
    default_wait=DEFAULT_WAIT,
)
