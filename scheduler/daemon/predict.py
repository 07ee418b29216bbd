"""What a rehearsal's fault plan predicts for each publication, and whether it held.

While the rehearsal runs, :class:`FaultTracker` notes which publication each
account is working on (the daemon's observer) and, when the sandbox applies a
fault to a request of that account, which publication the fault hit. After the
run, :func:`predict` turns those hits into the end states each publication may
be in, by the fault's effect:

============  ==========================================================  =================
effect        faults                                                      predicted end
============  ==========================================================  =================
recovered     rate limits, 5xx/drops/timeouts on uploads and reads, slow  published
reconciled    ``drop_after``/``error_after`` on a create (stored, lost)   published
lost          5xx, ``timeout``, ``drop_before``, ``fb_code`` 1/2 on a      needs review
              create (nothing stored); ``duplicate``, ``fb_code`` 506/368
rejected      ``invalid_media``, ``processing_failed``, ``fb_code`` 100     failed
paused        ``unauthorized``, ``expired_token``, ``forbidden``,          queued (the account
              ``credits``, ``fb_code`` 190/200                            is paused)
============  ==========================================================  =================

A rate limit or a slow answer also delays the account's next posts: those due
within a day of the hit may end published or missed. A pause keeps every later
post of the account queued. Every publication no fault touched must end
published. The effect of the strongest fault wins when several hit one
publication (paused > rejected > lost > reconciled > recovered).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler.sandbox.faults import Fault, FaultPlan

CREATE_ENDPOINTS = frozenset({"x.create_post", "facebook.feed", "facebook.photos"})
RATE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
AUTH_CODES = frozenset({190, 102, 10, 200})
# The sandbox answers code 368 with Facebook's "already posted" wording, which the
# adapter reads as a duplicate (like 506), not as a policy block.
DUPLICATE_CODES = frozenset({506, 368})
QUEUED = frozenset({"pending", "retrying"})
# How far after a rate limit or stall the account's posts may be missed.
KNOCK_ON = timedelta(days=1)

_EFFECT_RANK = {"recovered": 0, "reconciled": 1, "lost": 2, "rejected": 3, "paused": 4}
_EXPECTED = {
    "recovered": frozenset({"published"}),
    "reconciled": frozenset({"published"}),
    "lost": frozenset({"needs_review"}),
    "rejected": frozenset({"failed"}),
    "paused": QUEUED,
}


def effect_of(endpoint: str, fault: Fault) -> str:
    """The effect (table above) of ``fault`` applied to a request to ``endpoint``."""
    kind = fault.kind
    creates = endpoint in CREATE_ENDPOINTS
    if kind in ("unauthorized", "expired_token", "forbidden", "credits"):
        return "paused"
    if kind in ("invalid_media", "processing_failed"):
        return "rejected"
    if kind == "duplicate":
        return "lost" if creates else "recovered"
    if kind in ("drop_after", "error_after"):
        return "reconciled" if creates else "recovered"
    if kind in ("server_error", "timeout", "drop_before"):
        return "lost" if creates else "recovered"
    if kind == "fb_code":
        code = fault.code or 0
        if code in AUTH_CODES:
            return "paused"
        if code in DUPLICATE_CODES:
            return "lost"
        if code == 100:
            return "rejected"
        if code in RATE_CODES:
            return "recovered"
        return "lost" if creates else "recovered"
    return "recovered"  # rate_limit, cap_24h, slow


def delays_account(fault: Fault) -> bool:
    """True when the fault holds up the account's later posts (rate limit or stall)."""
    if fault.kind == "fb_code":
        return (fault.code or 0) in RATE_CODES
    return fault.kind in ("rate_limit", "cap_24h", "slow", "timeout")


@dataclass(frozen=True)
class Hit:
    """A fault the sandbox applied: to which endpoint and account, when (campaign
    UTC), and the publications the account was working on then."""

    endpoint: str
    account: str | None
    fault: Fault
    at: datetime
    publication_ids: tuple[int, ...]

    @property
    def effect(self) -> str:
        return effect_of(self.endpoint, self.fault)


@dataclass
class FaultTracker:
    """The daemon's observer and the fault plan's listener, joined."""

    now: object = None  # a callable returning campaign time; set by the rehearsal
    hits: list[Hit] = field(default_factory=list)
    _in_flight: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, event: str, publication_id: int, account_label: str) -> None:
        """Daemon observer: ``claimed`` and ``settled`` events."""
        with self._lock:
            if event == "claimed":
                self._in_flight[account_label].add(publication_id)
            else:
                self._in_flight[account_label].discard(publication_id)

    def fired(self, endpoint: str, account: str | None, fault: Fault) -> None:
        """Fault plan listener: a fault was just applied."""
        with self._lock:
            working = tuple(sorted(self._in_flight.get(account or "", ())))
            at = self.now() if callable(self.now) else datetime.min
            self.hits.append(Hit(endpoint, account, fault, at, working))


@dataclass
class TrackedFaultPlan(FaultPlan):
    """A fault plan that tells ``listener`` about every fault it applies."""

    listener: FaultTracker | None = None

    def take(self, endpoint: str, account: str | None) -> Fault | None:
        fault = super().take(endpoint, account)
        if fault is not None and self.listener is not None:
            self.listener.fired(endpoint, account, fault)
        return fault


@dataclass(frozen=True)
class Outcome:
    """A publication's end: ``state``, and the states the plan allows (``expected``)."""

    publication_id: int
    post_id: str
    account_label: str
    scheduled_at: datetime
    state: str
    expected: frozenset[str]
    because: str

    @property
    def as_predicted(self) -> bool:
        return self.state in self.expected


@dataclass(frozen=True)
class Row:
    """What predict needs of a publication."""

    publication_id: int
    post_id: str
    account_label: str
    scheduled_at: datetime
    state: str


def predict(rows: list[Row], hits: list[Hit]) -> list[Outcome]:
    """Each publication's end state against what ``hits`` predict (module docstring)."""
    direct: dict[int, list[Hit]] = defaultdict(list)
    for hit in hits:
        for publication_id in hit.publication_ids:
            direct[publication_id].append(hit)
    paused_from: dict[str, datetime] = {}
    delayed: dict[str, list[datetime]] = defaultdict(list)
    for hit in hits:
        if hit.account is None:
            continue
        if hit.effect == "paused":
            first = paused_from.get(hit.account)
            paused_from[hit.account] = min(first, hit.at) if first else hit.at
        elif delays_account(hit.fault):
            delayed[hit.account].append(hit.at)
    outcomes: list[Outcome] = []
    for row in rows:
        expected, because = frozenset({"published"}), "no fault touched it"
        own = direct.get(row.publication_id, [])
        if own:
            strongest = max(own, key=lambda hit: _EFFECT_RANK[hit.effect])
            expected = _EXPECTED[strongest.effect]
            because = f"{strongest.fault.kind} on {strongest.endpoint} ({strongest.effect})"
            if any(len(hit.publication_ids) > 1 for hit in own):
                expected |= {"published"}  # the fault may have hit a sibling call
        paused = paused_from.get(row.account_label)
        if (
            paused is not None
            and row.scheduled_at >= paused - KNOCK_ON
            and "published" in expected
            and not own
        ):
            if row.scheduled_at >= paused:
                expected, because = QUEUED, f"{row.account_label} was paused by a fault"
            else:
                expected |= QUEUED
        elif not own and any(
            at <= row.scheduled_at <= at + KNOCK_ON
            or row.scheduled_at <= at <= row.scheduled_at + KNOCK_ON
            for at in delayed[row.account_label]
        ):
            expected, because = (
                frozenset({"published", "missed"}),
                "its account was held up by a fault",
            )
        outcomes.append(
            Outcome(
                row.publication_id,
                row.post_id,
                row.account_label,
                row.scheduled_at,
                row.state,
                expected,
                because,
            )
        )
    return outcomes
