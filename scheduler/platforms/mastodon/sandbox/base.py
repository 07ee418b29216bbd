"""The Mastodon stand-in's core: a request read, its fault, the token check, the
rate windows and the headers every answer carries.

Every endpoint module (:mod:`~scheduler.platforms.mastodon.sandbox.statuses`,
``media``, ``reads``) takes a :class:`MastodonStandIn` and a :class:`Call`;
:mod:`~scheduler.platforms.mastodon.sandbox.api` joins them into routes.
Nothing here imports an endpoint module.

Each request passes, in order: fault injection (endpoint names in
:mod:`~scheduler.platforms.mastodon.sandbox.faults`), the token check
(``Authorization: Bearer``), the rate windows, then the work. Refusals are
``{"error": ...}`` with the server's words [platforms-2026.md 6.1, 6.4].
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.clock import Clock
from scheduler.platforms.faults import Fault, FaultSource
from scheduler.platforms.mastodon.rates import (
    CALLS_PER_ACCOUNT_5M,
    DELETES_30M,
    MEDIA_UPLOADS_30M,
)
from scheduler.platforms.mastodon.sandbox.state import AccountState, MastodonState
from scheduler.platforms.mastodon.sandbox.wire import (
    Body,
    RateWindows,
    error,
    read_body,
    throttled,
)
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.sandbox_base import PlatformSandbox, SentImage, SentPost
from scheduler.platforms.sandbox_server import Request, Response

logger = logging.getLogger(__name__)


@dataclass
class Call:
    """One request, read and authenticated: its body and the account of its token."""

    request: Request
    match: re.Match[str]
    body: Body
    account: AccountState


Handler = Callable[["MastodonStandIn", Call], Response]


@dataclass(frozen=True)
class Limits:
    """The server's limits, as ``/api/v2/instance`` states them [platforms-2026.md 6.3]."""

    max_characters: int = 500
    characters_reserved_per_url: int = 23
    max_media_attachments: int = 4
    description_limit: int = 1500
    image_size_limit: int = 16_777_216
    video_size_limit: int = 103_809_024


class MastodonStandIn(PlatformSandbox):
    """The stand-in for the Mastodon accounts among ``accounts``, on ``clock``,
    taking faults from ``faults``. ``calls_per_5min``, ``media_per_30min`` and
    ``deletes_per_30min`` set the rate windows; ``limits`` the server's limits;
    ``video_polls`` how many polls of a video answer 206 before it is processed.
    """

    def __init__(
        self,
        accounts: Iterable[AccountEntry],
        clock: Clock,
        faults: FaultSource,
        *,
        calls_per_5min: int = CALLS_PER_ACCOUNT_5M,
        media_per_30min: int = MEDIA_UPLOADS_30M,
        deletes_per_30min: int = DELETES_30M,
        limits: Limits | None = None,
        video_polls: int = 2,
    ) -> None:
        self.clock = clock
        self.faults = faults
        self.state = MastodonState(accounts)
        self.windows = RateWindows(clock, calls_per_5min, media_per_30min, deletes_per_30min)
        self.limits = limits or Limits()
        self.video_polls = video_polls
        self.received: list[tuple[str, str, str, int]] = []

    # -- state for assertions ----------------------------------------------------------

    def account(self, label: str) -> AccountState:
        """The account of ``label``; KeyError when unknown."""
        return self.state.accounts[label]

    def count(self, label: str | None = None) -> int:
        with self.state.lock:
            if label is not None:
                found = self.state.accounts.get(label)
                return len(found.statuses) if found else 0
            return sum(len(account.statuses) for account in self.state.accounts.values())

    def sent(self, label: str) -> list[SentPost]:
        with self.state.lock:
            found = self.state.accounts.get(label)
            if found is None:
                return []
            return [
                SentPost(
                    found.product_id(status.status_id),
                    status.text,
                    received_at=status.created_at,
                    shown_text=(f"CW: {status.spoiler_text}\n" if status.spoiler_text else "")
                    + status.text,
                    images=tuple(
                        SentImage(
                            media.kind,
                            media.mime_type.split("/")[-1].upper(),
                            size_bytes=media.size_bytes,
                            alt_text=media.description or "",
                        )
                        for media in (
                            found.media[key] for key in status.media_ids if key in found.media
                        )
                    ),
                )
                for status in found.statuses
            ]

    # -- wrapping endpoints ---------------------------------------------------------------

    def endpoint(
        self, name: str, handler: Handler, bucket: str | None = None
    ) -> Callable[[Request, re.Match[str]], Response]:
        """``handler`` behind the fault, token and rate checks, as a route handler."""

        def handle(request: Request, match: re.Match[str]) -> Response:
            token = request.header("Authorization").removeprefix("Bearer ").strip()
            account = self.state.for_token(token)
            response = self._answer(name, request, match, account, handler, bucket)
            if account is not None and response.status != 429:
                response.headers.update(self.windows.headers(account.label))
            with self.state.lock:
                self.received.append((request.method, request.path, name, response.status))
            return response

        return handle

    def _answer(
        self,
        name: str,
        request: Request,
        match: re.Match[str],
        account: AccountState | None,
        handler: Handler,
        bucket: str | None,
    ) -> Response:
        fault = self.faults.take(name, account.label if account else None)
        if fault is not None:
            early = fault_answer(fault, self.clock.now())
            if early is not None:
                return early
        if account is None or account.revoked:
            return error(401, "The access token is invalid")
        refused = self.windows.admit(account.label, bucket)
        if refused is not None:
            return refused
        try:
            body = read_body(request)
        except (ValueError, UnicodeDecodeError):
            return error(400, "Invalid request body")
        response = handler(self, Call(request, match, body, account))
        if fault is None:
            return response
        if fault.kind == "slow":
            response.delay_s = fault.delay_s
        elif fault.kind == "drop_after":
            return Response(drop=True, delay_s=fault.delay_s)
        elif fault.kind == "error_after":
            return error(fault.status or 500, "Something went wrong on our end")
        elif fault.kind == "processing_failed":
            processing_fails(response, account)
        return response


def fault_answer(fault: Fault, now: datetime) -> Response | None:
    """The answer a fault asks for before any work (``now``: the stand-in's time),
    or None for the kinds that act after it (``slow``, ``drop_after``,
    ``error_after``, ``processing_failed``) or do not apply (``duplicate``,
    ``credits``)."""
    kind = fault.kind
    if kind in ("rate_limit", "cap_24h"):
        return throttled(CALLS_PER_ACCOUNT_5M, now + timedelta(minutes=5), now)
    if kind == "server_error":
        return error(fault.status or 500, "Something went wrong on our end")
    if kind == "timeout":
        return Response(drop=True, delay_s=fault.delay_s or 30.0)
    if kind == "drop_before":
        return Response(drop=True, delay_s=fault.delay_s)
    if kind == "unauthorized":
        return error(401, "The access token is invalid")
    if kind == "expired_token":
        return error(401, "The access token was revoked")
    if kind == "forbidden":
        return error(403, "This action is outside the authorized scopes")
    if kind == "invalid_media":
        return error(422, "Validation failed: File content type is invalid, File is invalid")
    if kind in ("duplicate", "credits"):
        logger.warning("fault kind %s does not apply to Mastodon; ignored", kind)
    return None


def processing_fails(response: Response, account: AccountState) -> None:
    """Make the upload ``response`` answered end in failed processing: 202 now,
    422 when polled [platforms-2026.md 6.2]."""
    body = response.body if isinstance(response.body, dict) else {}
    media = account.media.get(str(body.get("id", "")))
    if media is not None:
        media.failed, media.polls_left = True, max(media.polls_left, 1)
        response.status = 202
        body["url"] = None
