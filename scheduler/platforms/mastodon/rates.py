"""Mastodon's rate limits, and how a server says when they reset.

Figures from the documentation and the server's own throttles
[platforms-2026.md 6.4]. Several limits overlap; the ``X-RateLimit-*`` headers
of an answer describe the closest one. Every limit is counted by the server per
account, so every daemon publishing for an account shares it: a refusal's reset
time is stored with the account (``rate_limited_until``) and every daemon waits
for it.
"""

from __future__ import annotations

from datetime import timedelta

from scheduler.platforms.facts import RateLimit, RateLimits

SOURCE = "platforms-2026.md 6.4 (docs api/rate-limits.md; rack_attack.rb)"
FIVE_MINUTES = timedelta(minutes=5)
THIRTY_MINUTES = timedelta(minutes=30)

CALLS_PER_ACCOUNT_5M = 300
MEDIA_UPLOADS_30M = 30
DELETES_30M = 30

MASTODON_RATE_LIMITS = RateLimits(
    limits=(
        RateLimit("calls per account (every endpoint)", CALLS_PER_ACCOUNT_5M, FIVE_MINUTES, SOURCE),
        RateLimit("media uploads per account", MEDIA_UPLOADS_30M, THIRTY_MINUTES, SOURCE),
        RateLimit("deletes per account", DELETES_30M, THIRTY_MINUTES, SOURCE),
    ),
    reset_info="HTTP 429; X-RateLimit-Reset (an ISO 8601 time) on every answer",
    # The shortest window: the wait when a 429 carries no usable reset time.
    default_wait=FIVE_MINUTES,
)
