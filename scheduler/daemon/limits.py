"""When a due publication may go out: lateness, rate limits, daily cap, spacing.

:class:`AccountLimits` is the :class:`~scheduler.storage.claim_policy.ClaimPolicy`
the daemon gives the claim. It decides from facts the claim reads inside its
transaction (state every daemon shares), so two daemons never both take the
last slot of a day or post closer together than the minimum spacing.

The rules, in order:

1. **Too late.** Due more than ``late_grace_min`` ago (the daemon was down, or
   the campaign or account was paused): missed, with the reason.
2. **Platform rate limit.** The account waits until the reset time the platform
   gave (where it arrives is the platform profile's ``rate_limits.reset_info``).
   Not bounded by the grace: the platform decides.
3. **Daily cap.** ``daily_cap`` posts per local calendar day (campaign
   timezone): the post waits for the next local day.
4. **Minimum spacing.** ``min_spacing_min`` after the account's last post.
   When a slot frees, an older post of the account that is due takes it first
   (the claim's ``yield_window``, :func:`scheduler.storage.claims.claim`).

A wait from rules 3 and 4 is allowed only while the post would still be within
the grace of its scheduled time (of its retry time, for a retry after a failure;
of the moment an operator queued it again, for ``campaign retry``); beyond, it
is missed with the reason, so nothing goes out hours off its moment unnoticed.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.config import Account, CampaignConfig
from scheduler.platforms import registry
from scheduler.storage.claim_policy import ClaimFacts, Verdict
from scheduler.storage.models import PublicationState

# The wait after a rate limit with no reset time, for a platform no profile
# describes any more (an old database row); a profile gives its own.
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=15)


def rate_limit_wait(platform: str) -> timedelta:
    """How long to wait after a rate-limit refusal of ``platform`` that carries no
    reset time: its profile's ``rate_limits.default_wait``."""
    profile = registry.find(platform)
    return profile.rate_limits.default_wait if profile is not None else DEFAULT_RATE_LIMIT_WAIT


def _minutes(delta: timedelta) -> str:
    """A duration as a person reads it: "45 min", "5 h 20 min", "2,225 days"."""
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes / (24 * 60):,.0f} days"


class AccountLimits:
    """The claim policy for one campaign.

    ``grace`` overrides ``publishing.late_grace_min`` (the rehearsal widens it so
    a busy machine's hiccup, magnified by the speed-up, does not miss posts).
    """

    def __init__(self, config: CampaignConfig, grace: timedelta | None = None) -> None:
        self._accounts: dict[str, Account] = {a.label: a for a in config.accounts}
        self._zone: ZoneInfo = config.campaign.zone
        self.grace = (
            grace if grace is not None else timedelta(minutes=config.publishing.late_grace_min)
        )

    def spacing(self, account_label: str) -> timedelta:
        """The account's ``min_spacing_min`` (zero for an account not in config.yaml)."""
        account = self._accounts.get(account_label)
        return timedelta(minutes=account.min_spacing_min) if account else timedelta(0)

    def day_bounds(self, account_label: str, now: datetime) -> tuple[datetime, datetime]:
        """Start and end (aware UTC) of the local day (campaign timezone) holding ``now``.

        Local midnights, so a 23- or 25-hour day at a DST change is counted right.
        """
        day = now.astimezone(self._zone).date()
        start = datetime.combine(day, time(0), tzinfo=self._zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self._zone)
        return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)

    def decide(self, facts: ClaimFacts) -> Verdict:
        """Go, wait (defer) or missed, by the rules in the module docstring."""
        account = self._accounts.get(facts.account_label)
        if account is None:
            return Verdict.missed(
                f"account {facts.account_label!r} is not in config.yaml any more; "
                "add it back and run `campaign retry`"
            )
        now = facts.now
        late = now - facts.due_at
        if late > self.grace:
            return Verdict.missed(
                f"due {facts.due_at:%Y-%m-%d %H:%M} UTC and found {_minutes(late)} late, "
                f"beyond the late grace of {_minutes(self.grace)} "
                "(the daemon was not running, or publishing was paused)"
            )
        if facts.rate_limited_until is not None and facts.rate_limited_until > now:
            reason = facts.rate_limit_reason or "rate limited"
            return Verdict.defer(
                facts.rate_limited_until,
                f"{reason}; waiting for the reset at {facts.rate_limited_until:%Y-%m-%d %H:%M:%S} UTC",
            )
        wait_until: datetime | None = None
        reasons: list[str] = []
        if facts.published_today >= account.daily_cap:
            wait_until = self.day_bounds(facts.account_label, now)[1]
            reasons.append(f"daily cap of {account.daily_cap} posts reached")
        spacing = self.spacing(facts.account_label)
        if facts.last_post_at is not None and now < facts.last_post_at + spacing:
            slot = facts.last_post_at + spacing
            wait_until = max(wait_until or slot, slot)
            reasons.append(f"minimum spacing of {_minutes(spacing)} after the last post")
        if wait_until is None:
            return Verdict.go()
        base = facts.scheduled_at if facts.state == PublicationState.PENDING else facts.due_at
        if facts.requeued_at is not None:
            base = max(base, facts.requeued_at)  # an operator's retry: "publish it now"
        reason = " and ".join(reasons)
        if wait_until > base + self.grace:
            return Verdict.missed(
                f"{reason}: the next free slot, {wait_until:%Y-%m-%d %H:%M} UTC, is beyond "
                f"the late grace of {_minutes(self.grace)}"
            )
        return Verdict.defer(wait_until, reason)


def backoff_delay(
    tries: int, base_s: float, max_s: float, rng: random.Random | None = None
) -> timedelta:
    """The wait before try ``tries + 1`` after ``tries`` transient failures (campaign time).

    Exponential (``base_s * 2**(tries-1)``, capped at ``max_s``) with "equal
    jitter": half the delay fixed, half random, so daemons that failed together
    do not retry together.
    """
    rng = rng or random.Random()
    delay = min(max_s, base_s * 2 ** max(0, tries - 1))
    return timedelta(seconds=delay / 2 + rng.uniform(0, delay / 2))
