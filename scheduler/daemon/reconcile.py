"""Reconciliation: when a create call may have been applied, ask the platform.

A timeout, a dropped connection, a 5xx on the create call, a crash after
sending, or X's duplicate refusal (which carries no post id, and which an older
post with the same text also triggers) all leave the same question: is the
post out? The answer is never to call create again. It is to look for the post
among the account's recent posts (``Publisher.find_post``, which matches text
normalised the way the platform rewrites it: platforms.md 1.7 and 2.7) from
before the publication's first try to after now (:func:`search_window`: the
platform's clock may be off ours either way):

- found: published, with the platform's id and URL;
- not found: needs review, for a person to settle with ``campaign resolve``;
- the lookup itself failed: the publication stays ``publishing`` with
  ``needs_reconcile`` and a lease ending when the lookup should be tried again
  (a rate limit's reset, or a backoff); after ``max_attempts`` tries, needs review.
"""

from __future__ import annotations

import hashlib
import logging
import random
from datetime import datetime, timedelta

from scheduler.clock import log_time
from scheduler.daemon.limits import backoff_delay, rate_limit_wait
from scheduler.errors import AuthFailed, DuplicateContent, PublishError, RateLimited
from scheduler.platforms.base import PostRequest, Publisher
from scheduler.platforms.values import LinkCard
from scheduler.storage.attempts import Claim
from scheduler.storage.models import PublicationState
from scheduler.storage.settlements import Settlement

logger = logging.getLogger(__name__)

# Look this far before the first try and after now: the platform stamps posts
# with its own clock, which may be ahead of ours or behind it. Wider still when
# the skew measured from the platform's Date headers is larger.
RECONCILE_MARGIN = timedelta(minutes=10)


def post_request(claim: Claim, card: LinkCard | None = None) -> PostRequest:
    """The request of ``claim``'s create calls: its language and content warning
    (sent where the platform shows one), and a key that stays
    the same for the publication until a person queues it again (then the
    platform must not answer with the post of before). Derived, not stored: the
    post, account and publication id with the moment of the last requeue, hashed
    (32 hex characters), so two campaigns on one account never share a key."""
    requeue = claim.requeued_at.isoformat() if claim.requeued_at is not None else "first"
    name = f"{claim.post_id}\n{claim.account_label}\n{claim.publication_id}\n{requeue}"
    key = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    return PostRequest(
        key=key, language=claim.language, content_warning=claim.content_warning, link_card=card
    )


def search_window(
    publisher: Publisher, first_try: datetime, now: datetime
) -> tuple[datetime, datetime]:
    """The span (aware UTC) in which to look for a post first tried at
    ``first_try``: from before it to after ``now``, by :data:`RECONCILE_MARGIN`
    or the measured clock skew plus a minute, whichever is larger."""
    skew = abs(publisher.clock_skew_s() or 0.0)
    margin = max(RECONCILE_MARGIN, timedelta(seconds=skew + 60))
    return first_try - margin, now + margin


def resolve_command(claim: Claim) -> str:
    """The command a person runs to settle ``claim``'s publication."""
    return (
        f"`campaign resolve {claim.post_id} --account {claim.account_label} --published URL` "
        "(or `--not-published --reason ...` to queue it again)"
    )


def reconcile(
    publisher: Publisher,
    claim: Claim,
    now: datetime,
    *,
    cause: PublishError | None,
    max_attempts: int,
    backoff_base_s: float,
    backoff_max_s: float,
    rng: random.Random | None = None,
) -> Settlement:
    """Look for ``claim``'s post on the platform and say how the attempt ends.

    ``claim`` should carry its history (:func:`~scheduler.storage.attempts.with_history`):
    the window starts at its first try.

    ``cause`` is the create call's error (None after a crash); its code and
    message are kept on the attempt for the history. Never raises PublishError.
    """
    outcome = cause.outcome if cause is not None else "unknown"
    why = _describe(cause)
    try:
        since, until = search_window(publisher, claim.first_attempt_at or claim.claimed_at, now)
        found = publisher.find_post(claim.text, since, until, request=post_request(claim))
    except PublishError as error:
        tries = (claim.earlier_tries or 0) + 1
        if tries >= max_attempts:
            return Settlement(
                state=PublicationState.NEEDS_REVIEW,
                outcome=outcome,
                posted=True,
                last_error=(
                    f"{why}; the platform could not be checked after {tries} tries "
                    f"({error}); look at the account and run {resolve_command(claim)}"
                ),
            ).citing(cause, why)
        retry_at = now + backoff_delay(tries, backoff_base_s, backoff_max_s, rng)
        hold = None
        if isinstance(error, RateLimited):
            retry_at = error.reset_at or now + rate_limit_wait(claim.platform)
        elif isinstance(error, AuthFailed):
            hold = f"{publisher.platform} refused the credentials of {claim.account_label}: {error}"
        logger.warning(
            "publication %s: could not check the platform yet (%s); trying again at %s",
            claim.publication_id,
            error,
            log_time(retry_at),
        )
        return Settlement(
            state=PublicationState.PUBLISHING,
            outcome=outcome,
            posted=True,
            reconcile_at=retry_at,
            hold_reason=hold,
            last_error=f"{why}; checking the platform failed ({error}); will look again",
        ).citing(cause, why)
    if found is not None:
        logger.info(
            "publication %s: %s; found on the platform as %s, recorded as published",
            claim.publication_id,
            why,
            found.url,
        )
        return Settlement(
            state=PublicationState.PUBLISHED,
            outcome="reconciled",
            posted=True,
            platform_post_id=found.platform_post_id,
            platform_url=found.url,
            last_error=f"{why}; found on the platform by reconciliation",
        ).citing(cause, why)
    if isinstance(cause, DuplicateContent):
        reason = (
            f"{why}, and no matching post of {claim.account_label} was made since the "
            "first try: an older post has the same text. Nothing was published; "
            f"change the text or run {resolve_command(claim)}"
        )
    else:
        reason = (
            f"{why}, and the post is not among the recent posts of {claim.account_label}; "
            f"it may still appear. Check the account and run {resolve_command(claim)}"
        )
    logger.error("publication %s needs review: %s", claim.publication_id, reason)
    return Settlement(
        state=PublicationState.NEEDS_REVIEW,
        outcome=outcome,
        posted=True,
        last_error=reason,
    ).citing(cause, why)


def _describe(cause: PublishError | None) -> str:
    if cause is None:
        return "the daemon stopped after sending the create call"
    if isinstance(cause, DuplicateContent):
        return f"the platform refused the text as a duplicate ({cause})"
    return f"the outcome of the create call is unknown ({cause})"
