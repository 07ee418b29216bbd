"""How an attempt ends after a definite failure: nothing was posted.

A rate limit waits for the platform's reset, for every publication of the
account; a refused credential pauses the account (a hold) and keeps the
publication queued; a refused post fails with the platform's words; anything
else is transient and is retried with backoff until ``publishing.max_attempts``
tries. The worker (:mod:`scheduler.daemon.worker`) records the settlement.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime

from scheduler.clock import log_time
from scheduler.config import Publishing
from scheduler.daemon.limits import backoff_delay, rate_limit_wait
from scheduler.errors import AuthFailed, PublishError, RateLimited, Rejected
from scheduler.platforms.skew import SKEW_FIX, SKEW_LIMIT_S, skew_words
from scheduler.storage.attempts import Claim
from scheduler.storage.models import PublicationState
from scheduler.storage.settlements import Settlement
from scheduler.storage.skew_holds import CLOCK_SKEW

logger = logging.getLogger(__name__)


def auth_settlement(
    held: Claim, message: str, error: PublishError | None, now: datetime
) -> Settlement:
    """The account is paused (a hold naming ``message`` and the fix); the
    publication stays queued, due at ``now`` (aware UTC) once the hold lifts."""
    reason = (
        f"{held.account_label} is paused: {message}. Its posts stay queued. Fix the "
        "credentials, check them with `campaign accounts check`, then run "
        f"`campaign resume --account {held.account_label}`"
    )
    logger.error("ACCOUNT PAUSED: %s", reason)
    return _held(reason, now).citing(error, message)


def skew_settlement(held: Claim, skew_s: float, error: PublishError, now: datetime) -> Settlement:
    """The account is held in the state ``clock skew`` (a hold that the daemon lifts
    by itself once the clock is right, :mod:`scheduler.daemon.skew_holds`); the
    publication stays queued, due at ``now`` (aware UTC)."""
    reason = (
        f"{CLOCK_SKEW} on {held.account_label}: {held.platform} refused a signed request "
        f"because {skew_words(skew_s, held.platform)}; its posts wait and go out when "
        f"the clock is right (those held past the late grace are missed). Fix: {SKEW_FIX}"
    )
    logger.error("ACCOUNT HELD: %s", reason)
    return _held(reason, now, CLOCK_SKEW).citing(error)


def _held(reason: str, now: datetime, actor: str | None = None) -> Settlement:
    """Refused credentials: the account is held (by ``actor``, default the worker)
    and the publication queued again, due at ``now``."""
    return Settlement(
        state=PublicationState.RETRYING,
        outcome="auth_failed",
        next_attempt_at=now,
        hold_reason=reason,
        hold_actor=actor,
        last_error=reason,
    )


def failure_settlement(
    held: Claim,
    error: PublishError,
    now: datetime,
    publishing: Publishing,
    rng: random.Random,
    skew_s: float | None = None,
) -> Settlement:
    """How an attempt ends after a definite failure (nothing was posted); ``held``
    carries its history (:func:`~scheduler.storage.attempts.with_history`), ``now``
    is aware UTC, ``rng`` jitters the backoff.

    Rate limit: wait for the reset, for every publication of the account.
    Auth: pause the account (a hold), keep the publication queued; but while
    ``skew_s`` (this host's clock minus the platform's, seconds) is beyond
    :data:`~scheduler.platforms.skew.SKEW_LIMIT_S`, hold it in ``clock skew``. Rejected:
    failed with the platform's words. Anything else is transient: retry with
    backoff until ``max_attempts`` tries, then failed.
    """
    if isinstance(error, RateLimited):
        reset = error.reset_at or now + rate_limit_wait(held.platform)
        reason = f"{held.platform} rate limit on {held.account_label} ({error})"
        logger.warning("%s; waiting until %s", reason, log_time(reset))
        return Settlement(
            state=PublicationState.RETRYING,
            outcome=error.outcome,
            next_attempt_at=reset,
            rate_limited_until=reset,
            rate_limit_reason=reason,
            last_error=f"{reason}; waiting until {reset:%Y-%m-%d %H:%M:%S} UTC",
        ).citing(error)
    if isinstance(error, AuthFailed) and skew_s is not None and abs(skew_s) > SKEW_LIMIT_S:
        return skew_settlement(held, skew_s, error, now)
    if isinstance(error, AuthFailed):
        message = f"the platform refused its credentials ({error})"
        return auth_settlement(held, message, error, now)
    if isinstance(error, Rejected):
        reason = f"{held.platform} refused the post: {error.platform_message}"
        logger.error("publication %s failed: %s", held.publication_id, reason)
        return Settlement(
            state=PublicationState.FAILED,
            outcome=error.outcome,
            last_error=reason,
        ).citing(error)
    tries = (held.earlier_tries or 0) + 1
    if tries >= publishing.max_attempts:
        reason = f"gave up after {tries} tries; the last error: {error}"
        logger.error("publication %s failed: %s", held.publication_id, reason)
        return Settlement(
            state=PublicationState.FAILED,
            outcome="transient",
            last_error=reason,
        ).citing(error)
    retry_at = now + backoff_delay(tries, publishing.backoff_base_s, publishing.backoff_max_s, rng)
    logger.warning(
        "publication %s: %s (try %d of %d); retrying at %s",
        held.publication_id,
        error,
        tries,
        publishing.max_attempts,
        log_time(retry_at),
    )
    return Settlement(
        state=PublicationState.RETRYING,
        outcome="transient",
        next_attempt_at=retry_at,
        last_error=f"{error} (try {tries} of {publishing.max_attempts})",
    ).citing(error)
