"""The fault vocabulary of the platforms' stand-ins: the kinds every stand-in
understands, one fault, and what each platform's stand-in declares about its own.

Endpoints are named ``<platform>.<operation>`` (``x.create_post``); each
platform's stand-in lists its own in a :class:`FaultCatalogue`
(``platforms/<key>/sandbox/faults.py``), with the endpoints that create a post
and any kind only it understands.

The kinds every stand-in maps to the answer its real platform gives:

=====================  =======================================================
rate_limit             the platform's rate-limit refusal, with its reset information
cap_24h                a spent 24-hour post cap (where the platform has one)
credits                out of paid credits (where the platform bills)
server_error           500 (``status`` may say 502/503), in the platform's error shape
slow                   answer normally after ``delay_s`` wall seconds
timeout                wait ``delay_s`` (default 30) then drop the connection, nothing stored
drop_before            drop the connection without storing anything
drop_after             store the post, then drop the connection ("it went out but we did not hear back")
error_after            store the post, then answer with the error in ``status``/``code``
unauthorized           credentials refused
expired_token          the token has expired
forbidden              the credentials may not post
duplicate              the platform's duplicate-content refusal
invalid_media          the platform refuses the media
processing_failed      media processing ends in failure (where media is processed)
=====================  =======================================================

The fault plan that hands faults out is :mod:`scheduler.sandbox.faults`. This
module imports nothing but the standard library, so every platform's
stand-in, its catalogue and its profile can use it, and reading a platform's
catalogue (for a help text, say) loads no sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

GENERIC_KINDS = frozenset(
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


class FaultSource(Protocol):
    """Where a stand-in's endpoint asks for the fault to apply (a fault plan)."""

    def take(self, endpoint: str, account: str | None) -> Fault | None:
        """The fault to apply to this request of ``account`` to ``endpoint``, or None."""
        ...


@dataclass(frozen=True)
class FaultCatalogue:
    """What one platform's stand-in declares about faults.

    ``endpoints``: every endpoint name it asks the plan about; ``creates``: those
    that create a post (a fault there may lose or duplicate one); ``kinds``: kinds
    only this stand-in understands (beyond :data:`GENERIC_KINDS`); ``example``:
    a fault in ``--faults`` syntax, for help texts.
    """

    endpoints: frozenset[str]
    creates: frozenset[str]
    kinds: frozenset[str] = frozenset()
    example: str = ""

    def effect_of(self, fault: Fault, creates: bool) -> str | None:
        """What one of this platform's own kinds does to the publication it hits
        (``recovered``, ``reconciled``, ``lost``, ``rejected``, ``paused``; see
        :mod:`scheduler.daemon.predict`); None for the generic kinds."""
        return None

    def delays_account(self, fault: Fault) -> bool | None:
        """Whether one of this platform's own kinds holds up the account's later
        posts; None for the generic kinds."""
        return None
