"""What the claim asks the daemon's limits: the facts, the verdict, the policy.

The claim (:mod:`scheduler.storage.claims`) reads these facts inside its
transaction and asks a :class:`ClaimPolicy` (the daemon's
:class:`~scheduler.daemon.limits.AccountLimits`) whether the publication goes
now, waits, or has missed its moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from scheduler.storage.models import PublicationState


@dataclass(frozen=True)
class ClaimFacts:
    """What the limits decide on; every datetime is aware UTC.

    ``due_at`` is ``next_attempt_at``; ``published_today`` counts the account's
    posts (published or in flight) in the local day that holds ``now``;
    ``requeued_at`` is when an operator last queued it again, if ever.
    """

    publication_id: int
    account_label: str
    state: PublicationState
    scheduled_at: datetime
    due_at: datetime
    now: datetime
    last_post_at: datetime | None
    rate_limited_until: datetime | None
    rate_limit_reason: str | None
    published_today: int
    requeued_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    """``go``; ``defer`` until ``until`` (UTC); or ``missed``; ``reason`` for people."""

    action: str
    until: datetime | None = None
    reason: str = ""

    @classmethod
    def go(cls) -> Verdict:
        return cls("go")

    @classmethod
    def defer(cls, until: datetime, reason: str) -> Verdict:
        return cls("defer", until, reason)

    @classmethod
    def missed(cls, reason: str) -> Verdict:
        return cls("missed", None, reason)


class ClaimPolicy(Protocol):
    """The daemon's limits, asked inside the claim transaction."""

    def day_bounds(self, account_label: str, now: datetime) -> tuple[datetime, datetime]:
        """Start and end (aware UTC) of the account's local calendar day holding ``now``."""
        ...

    def decide(self, facts: ClaimFacts) -> Verdict:
        """Go, defer or missed for a due publication."""
        ...

    def spacing(self, account_label: str) -> timedelta:
        """The account's minimum time between two posts (zero: none)."""
        ...
