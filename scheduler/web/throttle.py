"""Slowing down guesses of the operator token, per client.

A client (an IP address; an IPv6 client by its /64 network, which one home or
machine usually holds whole) may get the token wrong :data:`FREE_FAILURES`
times; each wrong token after that makes it wait before the next try, twice
as long each time (1 s, 2 s, 4 s... up to :data:`MAX_WAIT_S`). While it waits,
its sign-ins are refused without looking at the token. A burst ends after
:data:`QUIET_S` without a wrong token, and the count starts again; the right
token ends it at once.

A burst is logged at its first wrong token (info) and once more when the
waiting starts (a warning naming the client), however many tries follow, so
a guessing script cannot flood the log. Behind a proxy every client has the proxy's address: the waiting is then
shared, which still bounds the guessing.

State is in memory, for one dashboard process; at most :data:`MAX_CLIENTS`
clients are remembered (the quietest forgotten first).
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

FREE_FAILURES = 3
FIRST_WAIT_S = 1.0
MAX_WAIT_S = 300.0
QUIET_S = 900.0
MAX_CLIENTS = 10_000


@dataclass
class _Burst:
    started: float
    last: float
    failures: int = 0
    wait_until: float = 0.0


def client_key(host: str | None) -> str:
    """Who a sign-in comes from: the IP address, an IPv6 one as its /64 network."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6 and not address.is_loopback:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class SignInThrottle:
    """Per-client waiting after wrong operator tokens. Thread-safe.

    ``monotonic`` gives seconds (default :func:`time.monotonic`; tests pass a fake).
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._bursts: OrderedDict[str, _Burst] = OrderedDict()
        self._lock = threading.Lock()

    def _current(self, client: str, now: float) -> _Burst | None:
        burst = self._bursts.get(client)
        if burst is not None and now - burst.last > QUIET_S and now >= burst.wait_until:
            del self._bursts[client]
            return None
        return burst

    def wait_s(self, client: str) -> float:
        """Seconds ``client`` must still wait before its token is looked at (0: none)."""
        with self._lock:
            now = self._now()
            burst = self._current(client, now)
            if burst is None or now >= burst.wait_until:
                return 0.0
            return burst.wait_until - now

    def failed(self, client: str) -> float:
        """Record a wrong token from ``client``; returns the seconds it must now wait."""
        with self._lock:
            now = self._now()
            burst = self._current(client, now)
            if burst is None:
                burst = self._bursts[client] = _Burst(started=now, last=now)
                self._forget_quietest()
            self._bursts.move_to_end(client)
            burst.failures += 1
            burst.last = now
            if burst.failures == 1:
                logger.info("dashboard: a wrong operator token from %s", client)
            beyond = burst.failures - FREE_FAILURES
            if beyond <= 0:
                return 0.0
            wait = min(FIRST_WAIT_S * float(2 ** min(beyond - 1, 30)), MAX_WAIT_S)
            burst.wait_until = now + wait
            if beyond == 1:
                logger.warning(
                    "dashboard: %d wrong operator tokens from %s in %.0f s; its sign-ins "
                    "now wait between tries (up to %.0f s); this burst is not logged again",
                    burst.failures,
                    client,
                    now - burst.started,
                    MAX_WAIT_S,
                )
            return wait

    def succeeded(self, client: str) -> None:
        """The right token from ``client``: its burst is over."""
        with self._lock:
            self._bursts.pop(client, None)

    def _forget_quietest(self) -> None:
        while len(self._bursts) > MAX_CLIENTS:
            self._bursts.popitem(last=False)
