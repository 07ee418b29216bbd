"""Fault injection for the sandbox: what to break, where, and how often.

A :class:`FaultPlan` holds faults; each endpoint handler asks ``take(endpoint,
account)`` before doing its work and, when a fault comes back, answers the way
the real platform does in that situation. Endpoints are named
``<platform>.<operation>``:

- X: ``x.create_post``, ``x.media_upload`` (simple and chunked steps),
  ``x.media_status``, ``x.me``, ``x.timeline``, ``x.delete``, ``x.lookup``
- Facebook: ``facebook.feed``, ``facebook.photos``, ``facebook.me``,
  ``facebook.read`` (published_posts/feed reads), ``facebook.debug_token``

Kinds (``kind``), each mapped by the platform module to the real answer:

=====================  =======================================================
rate_limit             429 with reset headers (X) / code 4, 17, 32 or 613 (Facebook, see ``code``)
cap_24h                X: 429 with the 24-hour user limit headers at zero
credits                X: 402 CreditsDepleted
server_error           500 (``status`` may say 502/503); X: problem JSON; Facebook: code 1 or 2
slow                   answer normally after ``delay_s`` wall seconds
timeout                wait ``delay_s`` (default 30) then drop the connection, nothing stored
drop_before            drop the connection without storing anything
drop_after             store the post, then drop the connection ("it went out but we did not hear back")
error_after            store the post, then answer with the error in ``status``/``code`` (Facebook code 1/2, koala#699)
unauthorized           401 (X) / code 190 subcode 467 (Facebook)
expired_token          X: 401; Facebook: code 190 subcode 463 "Session has expired"
forbidden              X: 403 oauth1-permissions; Facebook: code 200
duplicate              X: 403 duplicate content; Facebook: code 506
invalid_media          X: 400 invalid media; Facebook: code 100 subcode 1366046
processing_failed      X: media processing ends in state ``failed``
fb_code                Facebook: answer with error ``code`` (1, 2, 4, 17, 32, 190, 200, 368, 506, 613)
=====================  =======================================================

A plan can be written as text, for ``--faults`` on the command line::

    x.create_post:drop_after;facebook.photos:fb_code:code=2:times=2;x.create_post:rate_limit:account=x-fr
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field, replace

ENDPOINTS = frozenset(
    {
        "x.create_post",
        "x.media_upload",
        "x.media_status",
        "x.me",
        "x.timeline",
        "x.delete",
        "x.lookup",
        "facebook.feed",
        "facebook.photos",
        "facebook.me",
        "facebook.read",
        "facebook.debug_token",
    }
)

KINDS = frozenset(
    {
        "rate_limit",
        "cap_24h",
        "credits",
        "server_error",
        "slow",
        "timeout",
        "drop_before",
        "drop_after",
        "error_after",
        "unauthorized",
        "expired_token",
        "forbidden",
        "duplicate",
        "invalid_media",
        "processing_failed",
        "fb_code",
    }
)


@dataclass(frozen=True)
class Fault:
    """One fault. ``endpoint`` may end in ``*`` (``x.*``). It skips the first
    ``after`` matching requests, then applies to the next ``times`` of them.
    ``account`` restricts it to one account label. ``delay_s`` is wall seconds."""

    endpoint: str
    kind: str
    account: str | None = None
    times: int = 1
    after: int = 0
    code: int | None = None
    status: int | None = None
    delay_s: float = 0.0

    def matches(self, endpoint: str, account: str | None) -> bool:
        if self.account is not None and self.account != account:
            return False
        if self.endpoint.endswith("*"):
            return endpoint.startswith(self.endpoint[:-1])
        return self.endpoint == endpoint


def _known_endpoint(endpoint: str) -> bool:
    if endpoint.endswith("*"):
        prefix = endpoint[:-1]
        return any(name.startswith(prefix) for name in ENDPOINTS)
    return endpoint in ENDPOINTS


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
        if not _known_endpoint(fault.endpoint):
            close = difflib.get_close_matches(fault.endpoint, sorted(ENDPOINTS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"unknown fault endpoint {fault.endpoint!r}{hint} "
                f"(known: {', '.join(sorted(ENDPOINTS))}, or x.* / facebook.*)"
            )
        if fault.kind not in KINDS:
            raise ValueError(
                f"unknown fault kind {fault.kind!r}; known: {', '.join(sorted(KINDS))}"
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
            unknown = set(options) - {"account", "times", "after", "code", "status", "delay_s"}
            if unknown:
                raise ValueError(f"fault {item!r}: unknown option(s) {sorted(unknown)}")
            try:
                fault = Fault(
                    endpoint=pieces[0],
                    kind=pieces[1],
                    account=options.get("account"),
                    times=int(options.get("times", 1)),
                    after=int(options.get("after", 0)),
                    code=int(options["code"]) if "code" in options else None,
                    status=int(options["status"]) if "status" in options else None,
                    delay_s=float(options.get("delay_s", 0)),
                )
            except ValueError as error:
                raise ValueError(f"fault {item!r}: {error}") from None
            plan.add(fault)
        return plan
