"""``campaign withdraw ID --reason R [--account LABEL]``: delete a live post (every
language version of a message, or one account's) from each platform, and mark
its publication ``withdrawn``, a terminal state: ``campaign retry`` refuses it
and ``campaign sync`` never publishes it again.

Each live publication is deleted through its account's publisher
(:meth:`~scheduler.platforms.base.Publisher.delete_post`: X ``DELETE
/2/tweets/:id``, Graph ``DELETE /{post-id}``). The platform's "not found"
counts as withdrawn (a person deleted it, or an earlier run did and was
interrupted before recording it), so the command is safe to repeat. A transient
failure (a timeout, a 5xx, a dropped connection) is tried again a few times; what
still fails is recorded in the history with the platform's words and stays
``published``; running the command again finishes it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import (
    CampaignError,
    ConfigError,
    PublishError,
    RateLimited,
    TransientError,
)
from scheduler.platforms.base import Publisher
from scheduler.storage import withdrawals
from scheduler.storage.actions import Skipped
from scheduler.storage.withdrawals import LivePost

logger = logging.getLogger(__name__)

# Tries of one delete when the platform answers with a transient error, and the
# wall seconds between them (doubling): a withdrawal is a person waiting.
DELETE_TRIES = 3
DELETE_BACKOFF_S = 0.5


@dataclass(frozen=True)
class Withdrawn:
    """What happened to one live publication: ``result`` is ``deleted``,
    ``gone`` (not on the platform any more: counted as withdrawn), ``recorded``
    (another withdrawal recorded it meanwhile) or ``failed`` (``detail`` says why;
    it may still be live)."""

    post_id: str
    account: str
    result: str
    detail: str = ""
    url: str | None = None

    @property
    def ok(self) -> bool:
        return self.result != "failed"


@dataclass
class WithdrawResult:
    """Every live publication the target named, and what was left alone (with why)."""

    outcomes: list[Withdrawn] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


def _delete(publisher: Publisher, live: LivePost, sleep: Callable[[float], None]) -> bool:
    assert live.platform_post_id is not None
    delay = DELETE_BACKOFF_S
    for attempt in range(1, DELETE_TRIES + 1):
        try:
            return publisher.delete_post(live.platform_post_id)
        except TransientError as error:
            if attempt == DELETE_TRIES:
                raise
            logger.warning(
                "deleting %s failed (%s); trying again in %.1f s", live.label, error, delay
            )
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def withdraw(
    sessions: sessionmaker[Session],
    publisher_for: Callable[[str], Publisher],
    target: str | int,
    *,
    reason: str,
    actor: str,
    now: Callable[[], datetime],
    account: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> WithdrawResult:
    """Withdraw every live publication ``target`` names (module docstring).

    ``publisher_for(label)`` gives the account's publisher; ``now()`` the time to
    record (aware UTC).

    :raises NotFoundError: no such post, message, publication or account on it.
    :raises InvalidTransition: nothing targeted is live or withdrawn.
    :raises ConfigError: an empty reason.
    :raises StorageError: when the database cannot be used.
    """
    if not reason.strip():
        raise ConfigError("`campaign withdraw` needs a reason", where="--reason")
    live_posts, skipped = withdrawals.live_publications(sessions, target, account)
    result = WithdrawResult(skipped=skipped)
    for live in live_posts:
        result.outcomes.append(
            _withdraw_one(sessions, publisher_for, live, reason, actor, now, sleep)
        )
    return result


def _withdraw_one(
    sessions: sessionmaker[Session],
    publisher_for: Callable[[str], Publisher],
    live: LivePost,
    reason: str,
    actor: str,
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
) -> Withdrawn:
    def failed(detail: str, error: PublishError | None = None) -> Withdrawn:
        withdrawals.record_withdraw_failed(
            sessions, live, reason=reason, actor=actor, now=now(), error=detail,
            http_status=error.http_status if error else None,
            platform_code=error.platform_code if error else None,
        )  # fmt: skip
        return Withdrawn(live.post_id, live.account_label, "failed", detail, live.platform_url)

    if live.platform_post_id is None:
        where = live.platform_url or "its page"
        return failed(f"the platform's id of the post is not known; delete it by hand at {where}")
    try:
        publisher = publisher_for(live.account_label)
        deleted = _delete(publisher, live, sleep)
    except RateLimited as error:
        when = f" after {error.reset_at:%Y-%m-%d %H:%M} UTC" if error.reset_at else " later"
        return failed(f"{error}; run the command again{when}", error)
    except PublishError as error:
        return failed(f"{error}; it may still be live: run the command again", error)
    except CampaignError as error:  # the publisher cannot be built (credentials)
        return failed(str(error))
    how = "deleted" if deleted else "not found on the platform, counted as withdrawn"
    recorded = withdrawals.record_withdrawn(
        sessions, live, reason=reason, actor=actor, now=now(), how=how
    )
    logger.info("withdrew %s: %s", live.label, how)
    if not recorded:
        return Withdrawn(live.post_id, live.account_label, "recorded", how, live.platform_url)
    return Withdrawn(
        live.post_id, live.account_label, "deleted" if deleted else "gone", how, live.platform_url
    )
