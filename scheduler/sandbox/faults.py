"""Fault injection for the sandbox: what to break, where, and how often.

A :class:`FaultPlan` holds faults; each endpoint handler of a platform's
stand-in asks ``take(endpoint, account)`` before doing its work and, when a
fault comes back, answers the way the real platform does in that situation.
The kinds, and what a platform's stand-in declares, are in
:mod:`scheduler.platforms.faults`; the endpoint names each platform's
stand-in answers to are in its catalogue (``platforms/<key>/sandbox/faults.py``),
found through the registry.

A plan can be written as text, for ``--faults`` on the command line::

    <platform>.<operation>:<kind>[:key=value...] separated by ';'
    (example: x.create_post:drop_after;x.create_post:rate_limit:account=x-fr)

One endpoint is the daemon's own rather than a platform's: ``db.record``, the
write that records how an attempt ended. ``db.record:locked:seconds=S``
makes the database refuse it as a write lock held too long would, for ``S``
wall seconds from the first record it meets; ``db.record:disconnected:seconds=S``
as a lost connection would (:mod:`scheduler.daemon.results` keeps the results
refused meanwhile and records them when the database answers).
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field, replace

from scheduler.platforms import registry
from scheduler.platforms.faults import GENERIC_KINDS, Fault

__all__ = [
    "DATABASE_KINDS",
    "RECORD_ENDPOINT",
    "Fault",
    "FaultPlan",
    "example",
    "known_endpoints",
    "known_kinds",
]

RECORD_ENDPOINT = "db.record"
DATABASE_KINDS = frozenset({"locked", "disconnected"})


def known_endpoints() -> frozenset[str]:
    """Every fault endpoint of every registered platform's stand-in."""
    platforms = (
        name for profile in registry.profiles() for name in profile.fault_catalogue().endpoints
    )
    return frozenset({RECORD_ENDPOINT, *platforms})


def known_kinds() -> frozenset[str]:
    """The generic kinds and every registered platform's own."""
    return GENERIC_KINDS.union(
        DATABASE_KINDS, *(profile.fault_catalogue().kinds for profile in registry.profiles())
    )


def example() -> str:
    """A fault plan with one example per platform, for help texts."""
    return ";".join(
        profile.fault_catalogue().example
        for profile in registry.profiles()
        if profile.fault_catalogue().example
    )


def _known_endpoint(endpoint: str, endpoints: frozenset[str]) -> bool:
    if endpoint.endswith("*"):
        prefix = endpoint[:-1]
        return any(name.startswith(prefix) for name in endpoints)
    return endpoint in endpoints


@dataclass
class FaultPlan:
    """A thread-safe list of faults; ``fired`` records every fault applied, in order,
    as ``(endpoint, account, fault)``."""

    faults: list[Fault] = field(default_factory=list)
    fired: list[tuple[str, str | None, Fault]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault) -> None:
        """Add ``fault``.

        :raises ValueError: for an unknown kind or an endpoint (or ``platform.*``
            pattern) that names no sandbox endpoint, since a typo would otherwise
            make the fault silently never fire.
        """
        endpoints = known_endpoints()
        if not _known_endpoint(fault.endpoint, endpoints):
            close = difflib.get_close_matches(fault.endpoint, sorted(endpoints), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            wildcards = " / ".join(f"{key}.*" for key in registry.platform_keys())
            raise ValueError(
                f"unknown fault endpoint {fault.endpoint!r}{hint} "
                f"(known: {', '.join(sorted(endpoints))}, or {wildcards})"
            )
        kinds = known_kinds()
        if fault.kind not in kinds:
            raise ValueError(
                f"unknown fault kind {fault.kind!r}; known: {', '.join(sorted(kinds))}"
            )
        if fault.delay_s < 0:
            raise ValueError(
                f"fault {fault.endpoint}:{fault.kind}: delay_s and seconds are 0 or more"
            )
        if (fault.endpoint == RECORD_ENDPOINT) != (fault.kind in DATABASE_KINDS):
            raise ValueError(
                f"fault {fault.endpoint}:{fault.kind}: the database's endpoint "
                f"{RECORD_ENDPOINT} takes the kinds {' and '.join(sorted(DATABASE_KINDS))}, "
                "and only it does"
            )
        with self._lock:
            self.faults.append(fault)

    def take(self, endpoint: str, account: str | None) -> Fault | None:
        """The fault to apply to this request, or None; consumes one use of it."""
        with self._lock:
            for index, fault in enumerate(self.faults):
                if not fault.matches(endpoint, account):
                    continue
                if fault.after > 0:
                    self.faults[index] = replace(fault, after=fault.after - 1)
                    continue
                if fault.times <= 1:
                    del self.faults[index]
                else:
                    self.faults[index] = replace(fault, times=fault.times - 1)
                self.fired.append((endpoint, account, fault))
                return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """Parse ``endpoint:kind[:key=value...]`` items separated by ``;`` or ``,``.

        :raises ValueError: with the offending item named.
        """
        plan = cls()
        for item in filter(None, (part.strip() for part in text.replace(",", ";").split(";"))):
            pieces = item.split(":")
            if len(pieces) < 2:
                raise ValueError(f"fault {item!r}: write endpoint:kind[:key=value]")
            options: dict[str, str] = {}
            for piece in pieces[2:]:
                key, _, value = piece.partition("=")
                if not value:
                    raise ValueError(f"fault {item!r}: option {piece!r} needs key=value")
                options[key] = value
            unknown = set(options) - {
                "account",
                "times",
                "after",
                "code",
                "status",
                "delay_s",
                "seconds",
            }
            if unknown:
                names = ", ".join(sorted(unknown))
                raise ValueError(
                    f"fault {item!r}: unknown {'option' if len(unknown) == 1 else 'options'} "
                    f"{names}; the options are account, times, after, code, status, delay_s "
                    "and seconds"
                )
            try:
                fault = Fault(
                    endpoint=pieces[0],
                    kind=pieces[1],
                    account=options.get("account"),
                    times=int(options.get("times", 1)),
                    after=int(options.get("after", 0)),
                    code=int(options["code"]) if "code" in options else None,
                    status=int(options["status"]) if "status" in options else None,
                    # ``seconds``: how long a database fault lasts (wall seconds).
                    delay_s=float(options.get("seconds", options.get("delay_s", 0))),
                )
            except ValueError as error:
                raise ValueError(f"fault {item!r}: {error}") from None
            plan.add(fault)
        return plan
