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
lost          5xx, ``timeout``, ``drop_before`` on a create (nothing      needs review
              stored); ``duplicate``
rejected      ``invalid_media``, ``processing_failed``                    failed
paused        ``unauthorized``, ``expired_token``, ``forbidden``,          queued (the account
              ``credits``                                                 is paused)
============  ==========================================================  =================

A platform's own fault kinds (such as ``fb_code``) have the effect its
stand-in's catalogue gives (:meth:`~scheduler.platforms.faults.FaultCatalogue.effect_of`);
which endpoints create a post is the catalogue's too.

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

from scheduler.platforms import registry
from scheduler.platforms.faults import Fault, FaultCatalogue
from scheduler.sandbox.faults import FaultPlan

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


def _catalogue(endpoint: str) -> FaultCatalogue | None:
    """The fault catalogue of the platform ``endpoint`` belongs to (``x.me``: X's)."""
    profile = registry.find(endpoint.partition(".")[0])
    return profile.fault_catalogue() if profile is not None else None


def effect_of(endpoint: str, fault: Fault) -> str:
    """The effect (table above) of ``fault`` applied to a request to ``endpoint``."""
    kind = fault.kind
    catalogue = _catalogue(endpoint)
    creates = catalogue is not None and endpoint in catalogue.creates
    own = catalogue.effect_of(fault, creates) if catalogue is not None else None
    if own is not None:
        return own
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
    return "recovered"  # rate_limit, cap_24h, slow


def delays_account(fault: Fault, endpoint: str = "") -> bool:
    """True when the fault holds up the account's later posts (rate limit or stall)."""
    catalogue = _catalogue(endpoint or fault.endpoint)
    own = catalogue.delays_account(fault) if catalogue is not None else None
    if own is not None:
        return own
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
        elif delays_account(hit.fault, hit.endpoint):
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
