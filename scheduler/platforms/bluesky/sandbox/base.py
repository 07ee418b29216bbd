"""The Bluesky stand-in's core: a request's fault, its session, and the answers
every endpoint shares.

Every endpoint module (:mod:`~scheduler.platforms.bluesky.sandbox.endpoints`)
takes a :class:`BlueskyStandIn`; :mod:`~scheduler.platforms.bluesky.sandbox.api`
joins them into routes. Nothing here imports an endpoint module. Each request
passes, in order: fault injection (endpoint names in
:mod:`~scheduler.platforms.bluesky.sandbox.faults`), the session check, then
the work (which spends the account's write points). Every error is
``{"error", "message"}`` [platforms-2026.md 5].
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from scheduler.clock import Clock
from scheduler.platforms.bluesky import rates
from scheduler.platforms.bluesky.links import at_uri
from scheduler.platforms.bluesky.records import encode_tid
from scheduler.platforms.bluesky.sandbox import lexicon
from scheduler.platforms.bluesky.sandbox.state import BlueskyState, RepoState, StoredRecord
from scheduler.platforms.faults import Fault, FaultSource
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.sandbox_base import PlatformSandbox, SentImage, SentPost
from scheduler.platforms.sandbox_server import Request, Response

Handler = Callable[[Request, RepoState | None], Response]


def xrpc_error(status: int, name: str, message: str, **headers: str) -> Response:
    """An XRPC error answer."""
    return Response(status, {"error": name, "message": message}, headers=dict(headers))


class BlueskyStandIn(PlatformSandbox):
    """The PDS stand-in for the Bluesky accounts among ``accounts``, on ``clock``; the
    routes are :class:`~scheduler.platforms.bluesky.sandbox.api.BlueskySandbox`'s.
    ``points_per_hour`` / ``points_per_day`` set the write budget (tests lower them)."""

    def __init__(
        self,
        accounts: Iterable[AccountEntry],
        clock: Clock,
        faults: FaultSource,
        *,
        points_per_hour: int = rates.POINTS_PER_HOUR,
        points_per_day: int = rates.POINTS_PER_DAY,
    ) -> None:
        self.clock = clock
        self.faults = faults
        self.state = BlueskyState(
            [a for a in accounts if a.platform == "bluesky"], points_per_hour, points_per_day
        )
        self._last_tid_us = 0

    # -- for checks ------------------------------------------------------------------

    def sent(self, label: str) -> list[SentPost]:
        """Posts of account ``label``, oldest first."""
        with self.state.lock:
            repo = self.state.repo(label)
            if repo is None:
                return []
            records = sorted(repo.records.values(), key=lambda r: r.received_at)
            return [_sent(repo, record) for record in records]

    def count(self, label: str | None = None) -> int:
        with self.state.lock:
            if label is not None:
                repo = self.state.repo(label)
                return 0 if repo is None else len(repo.records)
            return sum(len(repo.records) for repo in self.state.repos.values())

    def record(self, label: str, rkey: str) -> dict[str, Any] | None:
        """The record ``rkey`` of account ``label`` as stored, or None."""
        with self.state.lock:
            repo = self.state.repo(label)
            found = repo.records.get(rkey) if repo else None
            return None if found is None else found.value

    def _wrap(self, endpoint: str, handler: Handler, auth: bool) -> Callable[..., Response]:
        def handle(request: Request, match: re.Match[str]) -> Response:
            with self.state.lock:
                repo, refusal = self._authenticate(request) if auth else (None, None)
            label = repo.label if repo else self._label_of(request)
            fault = self.faults.take(endpoint, label)
            if fault is not None:
                early = _fault_answer(fault, self.clock)
                if early is not None:
                    return early
            if refusal is not None:
                return refusal
            with self.state.lock:
                if fault is not None and fault.kind == "processing_failed":
                    self.processing_failed(request)
                response = handler(request, repo)
            if fault is not None and fault.kind == "slow":
                response.delay_s = fault.delay_s
            elif fault is not None and fault.kind == "drop_after":
                response = Response(drop=True, delay_s=fault.delay_s)
            elif fault is not None and fault.kind == "error_after":
                response = xrpc_error(
                    fault.status or 500, "InternalServerError", "Internal Server Error"
                )
            return response

        return handle

    def processing_failed(self, request: Request) -> None:
        """A ``processing_failed`` fault on ``request``: nothing, unless an endpoint
        processes something (the video service's jobs)."""

    def _label_of(self, request: Request) -> str | None:
        """The account a request without a session is about (createSession's identifier)."""
        try:
            body = request.json() if request.body else {}
        except ValueError:
            body = {}
        key = (
            (body.get("identifier") if isinstance(body, dict) else None)
            or one(request, "repo")
            or one(request, "did")
        )
        repo = self.state.repo(str(key)) if key else None
        if repo is None:
            repo = self._session_repo(request)
        return repo.label if repo else None

    def _session_repo(self, request: Request) -> RepoState | None:
        claims = claims_of(request)
        return self.state.repos.get(str(claims.get("sub", ""))) if claims else None

    def _authenticate(self, request: Request) -> tuple[RepoState | None, Response | None]:
        claims = claims_of(request)
        if claims is None:
            return None, xrpc_error(401, "AuthMissing", "Authentication Required")
        repo = self.state.repos.get(str(claims.get("sub", "")))
        expires = repo.access.get(str(claims.get("jti", ""))) if repo else None
        if repo is None or expires is None:
            return None, xrpc_error(401, "InvalidToken", "Token could not be verified")
        if self.clock.now() >= expires:
            return repo, xrpc_error(400, "ExpiredToken", "Token has expired")
        return repo, None

    def speed(self) -> float:
        """Campaign seconds per wall second (1 on the real clock)."""
        return 1.0 / max(self.clock.wall_seconds(1.0), 1e-9)

    def next_tid(self) -> str:
        """A new TID, as ``TID.next()``: the clock's microseconds, always increasing."""
        stamp = max(int(self.clock.now().timestamp() * 1_000_000), self._last_tid_us + 1)
        self._last_tid_us = stamp
        return encode_tid(stamp, 0)


def one(request: Request, name: str) -> str:
    values = request.query.get(name) or [""]
    return values[0]


def claims_of(request: Request) -> dict[str, Any] | None:
    value = request.header("Authorization")
    if not value.startswith("Bearer "):
        return None
    try:
        payload = value[7:].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def read_input(request: Request, nsid: str) -> tuple[dict[str, Any], Response | None]:
    """The JSON body of procedure ``nsid``, checked against its lexicon's input."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return {}, xrpc_error(400, "InvalidRequest", "Request body must be JSON")
    document = lexicon.lexicon(nsid)
    assert document is not None
    schema = document["defs"]["main"]["input"]["schema"]
    found = lexicon.problems(body, schema, nsid, "Input")
    if found:
        return {}, xrpc_error(400, "InvalidRequest", found[0])
    return body, None


def rate_limited(reset: Any) -> Response:
    return xrpc_error(
        429, "RateLimitExceeded", "Rate Limit Exceeded",
        **{"RateLimit-Reset": str(int(reset.timestamp())), "RateLimit-Remaining": "0"},
    )  # fmt: skip


def _fault_answer(fault: Fault, clock: Clock) -> Response | None:
    """The answer a fault gives before any work, or None when the work goes on."""
    now = int(clock.now().timestamp())
    if fault.kind == "rate_limit":
        return _rate_limited_at(now - now % 3600 + 3600)
    if fault.kind == "cap_24h":
        return _rate_limited_at(now - now % 86400 + 86400)
    if fault.kind == "server_error":
        return xrpc_error(fault.status or 500, "InternalServerError", "Internal Server Error")
    if fault.kind == "timeout":
        return Response(drop=True, delay_s=fault.delay_s or 30.0)
    if fault.kind == "drop_before":
        return Response(drop=True, delay_s=fault.delay_s)
    if fault.kind == "unauthorized":
        return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
    if fault.kind == "expired_token":
        return xrpc_error(400, "ExpiredToken", "Token has expired")
    if fault.kind == "forbidden":
        return xrpc_error(401, "InvalidToken", "Bad token scope")
    if fault.kind == "invalid_media":
        return xrpc_error(400, "InvalidRequest", "Wrong type of file: not an accepted image")
    return None


def _rate_limited_at(epoch: int) -> Response:
    return xrpc_error(
        429, "RateLimitExceeded", "Rate Limit Exceeded",
        **{"RateLimit-Reset": str(epoch), "RateLimit-Remaining": "0"},
    )  # fmt: skip


def _sent(repo: RepoState, record: StoredRecord) -> SentPost:
    embed = record.value.get("embed") or {}
    images = []
    for image in embed.get("images", []):
        blob = image.get("image", {})
        ratio = image.get("aspectRatio") or {}
        kind = str(blob.get("mimeType", "")).split("/")[-1].upper().replace("JPG", "JPEG")
        images.append(
            SentImage(
                "image", kind, ratio.get("width", 0), ratio.get("height", 0), blob.get("size", 0)
            )
        )
    link = (embed.get("external") or {}).get("uri")
    return SentPost(
        at_uri(repo.did, record.rkey),
        str(record.value.get("text", "")),
        received_at=record.received_at,
        images=tuple(images),
        link=link,
    )
