"""Accounts held while this host's clock is too far off a platform's.

A 401 from a platform while the skew measured from its ``Date`` headers is
beyond :data:`~scheduler.platforms.skew.SKEW_LIMIT_S` holds the account in
the state ``clock skew`` (:func:`scheduler.daemon.failures.skew_settlement`)
rather than pausing it for its credentials. At each refresh the daemon asks
the platform's clock again (:meth:`~scheduler.platforms.base.Publisher.check_clock`,
a request that costs no rate limit): once the skew is back within the limit
the hold lifts by itself and the posts go out; meanwhile the platform's other
accounts are held too (their requests meet the same clock), and posts held
past the late grace are missed with the reason "host clock N s off".
"""

from __future__ import annotations

import logging
from datetime import datetime

from scheduler.daemon.worker import WorkerContext
from scheduler.errors import CampaignError
from scheduler.platforms.skew import SKEW_FIX, SKEW_LIMIT_S, skew_words
from scheduler.storage.daemon_state import pause_account
from scheduler.storage.skew_holds import CLOCK_SKEW, held_by, lift, miss_past

logger = logging.getLogger(__name__)


class SkewHolds:
    """Rechecks the daemon's clock-skew holds (module docstring)."""

    def __init__(self, context: WorkerContext) -> None:
        self._context = context

    def say_at_start(self) -> None:
        """Log "this host's clock is N s off" with the fix for each platform whose
        clock is beyond the limit, once per platform, as the daemon starts."""
        said: set[str] = set()
        for account in self._context.config.accounts:
            if account.platform in said:
                continue
            try:
                publisher = self._context.publishers.get(account.label)
            except CampaignError:
                continue  # warm-up has paused it and said why
            skew = publisher.check_clock()
            if skew is not None and abs(skew) > SKEW_LIMIT_S:
                said.add(account.platform)
                logger.error("%s; %s", skew_words(skew, publisher.platform), SKEW_FIX)

    def _hold_siblings(self, label: str, platform: str, skew: float, now: datetime) -> None:
        """Hold the other accounts of ``label``'s platform too: their signed
        requests meet the same clock, and would each be refused in turn."""
        context = self._context
        for account in context.config.accounts:
            if account.platform != platform or account.label == label:
                continue
            reason = (
                f"{CLOCK_SKEW} on {account.label}: {skew_words(skew, platform)}, so "
                f"{platform} refuses its signed requests (as it did {label}'s); its posts "
                "wait and go out when the clock is right (those held past the late grace "
                f"are missed). Fix: {SKEW_FIX}"
            )
            if pause_account(context.sessions, account.label, reason, CLOCK_SKEW, now):
                logger.error("ACCOUNT HELD: %s", reason)

    def recheck(self, now: datetime) -> None:
        """Lift each clock-skew hold whose platform's clock agrees again; miss the
        held posts past the grace of the others. ``now`` is campaign time (UTC).

        :raises StorageError: when the database cannot be used.
        """
        context = self._context
        for label in held_by(context.sessions, CLOCK_SKEW):
            try:
                publisher = context.publishers.get(label)
            except CampaignError:
                continue  # the account's credentials went missing: its pause says so
            skew = publisher.check_clock()
            if skew is None:
                continue  # no answer: keep waiting, ask again at the next refresh
            if abs(skew) <= SKEW_LIMIT_S:
                why = f"this host's clock is within {skew:+.0f} s of {publisher.platform}'s again"
                if lift(context.sessions, label, CLOCK_SKEW, now, why):
                    logger.warning("%s: %s; its posts go out again", label, why)
                continue
            self._hold_siblings(label, publisher.platform, skew, now)
            reason = f"host clock {abs(skew):.0f} s off"
            missed = miss_past(context.sessions, label, now - context.limits.grace, reason, now)
            if missed:
                logger.error(
                    "%s: %d post(s) held past the late grace missed: %s",
                    label,
                    len(missed),
                    reason,
                )
