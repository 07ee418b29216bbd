"""Bluesky's XRPC errors, as the product's outcomes.

Every XRPC error answers ``{"error": "<Name>", "message": "..."}``: 400 for a
request the server refuses, 401 ``AuthMissing`` / ``AuthenticationRequired`` /
``InvalidToken`` / ``ExpiredToken`` for credentials, 429 for rate limits with
``RateLimit-Reset`` (epoch seconds), 5xx for the server's own failures
[platforms-2026.md 5, 5.4]. The atproto SDK raises ``UnauthorizedError``
(401, 403), ``BadRequestError`` (400), ``RateLimitExceededError`` (429),
``NetworkError`` (409, 413, 502, and a connection that failed),
``InvokeTimeoutError`` and ``RequestException`` (any other status); this
module turns each into one outcome of :mod:`scheduler.errors`.

On the create call, a 5xx, a timeout or a dropped connection leave the post
possibly stored: :class:`~scheduler.errors.UnknownOutcome`, settled by
``getRecord`` on the record key. A create on a key that exists already answers
500 too (atproto#3718), which is the same question.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from atproto_client import exceptions

from scheduler.clock import Clock
from scheduler.errors import (
    AuthFailed,
    CampaignError,
    PublishError,
    RateLimited,
    Rejected,
    TokenKeyError,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.bluesky.rates import BLUESKY_RATE_LIMITS
from scheduler.platforms.secrets import redact

BASE_URL_SETTING = "platforms.bluesky.api_base_url"
AUTH_ERRORS = frozenset(
    {"AuthMissing", "AuthenticationRequired", "InvalidToken", "ExpiredToken", "AccountTakedown",
     "AuthFactorTokenRequired", "InvalidPassword"}
)  # fmt: skip


def error_of(error: BaseException) -> tuple[int | None, str, str, dict[str, Any]]:
    """``(status, error name, message, headers)`` of an SDK exception (None, "",
    "", {} for one that carries no answer)."""
    response = getattr(error, "response", None)
    if response is None:
        return None, "", "", {}
    content = getattr(response, "content", None)
    name = str(getattr(content, "error", "") or "")
    message = str(getattr(content, "message", "") or "")
    headers = dict(getattr(response, "headers", {}) or {})
    return getattr(response, "status_code", None), name, message, headers


def translate_bluesky_error(
    error: Exception, operation: str, creates: bool, clock: Clock
) -> PublishError:
    """The outcome of ``error`` raised by ``operation`` (``creates``: the create call)."""
    if isinstance(error, TokenKeyError):  # the stored session cannot be read or written
        return AuthFailed(f"Bluesky {operation}: {error}")
    if isinstance(error, CampaignError):  # the token store is busy or the database refused
        return TransientError(f"Bluesky {operation}: {error}")
    status, name, message, headers = error_of(error)
    words = redact(f"{name}: {message}" if name else message)[:500] or None
    fields: dict[str, Any] = {
        "http_status": status, "platform_code": name or None, "platform_message": words,
    }  # fmt: skip
    if isinstance(error, exceptions.RateLimitExceededError) or status == 429:
        return RateLimited(
            f"Bluesky rate limit on {operation}", reset_at=_reset(headers, clock), **fields
        )
    if isinstance(error, exceptions.UnauthorizedError) or name in AUTH_ERRORS:
        return AuthFailed(
            f"Bluesky refused the session on {operation}: {message or name or 'unauthorized'}; "
            "check the account's handle and app password",
            **fields,
        )
    if isinstance(error, exceptions.BadRequestError):
        return Rejected(f"Bluesky refused the {_what(operation)}: {message or name}", **fields)
    if status is not None and status < 500 and status not in (408, 409, 502):
        return Rejected(f"Bluesky refused the {_what(operation)} (HTTP {status})", **fields)
    cause = _cause(error, status)
    if creates:
        return UnknownOutcome(
            f"Bluesky {operation}: {cause}; the post may have been stored", **fields
        )
    return TransientError(f"Bluesky {operation}: {cause}", **fields)


def _cause(error: Exception, status: int | None) -> str:
    """The failure in words: the HTTP status, or what happened to the connection."""
    if status is not None:
        return f"HTTP {status}"
    inner = error.__cause__ or error.__context__
    if isinstance(error, exceptions.InvokeTimeoutError):
        return f"no answer from Bluesky within the timeout ({BASE_URL_SETTING})"
    if isinstance(inner, httpx.ConnectError):
        return _unreachable(inner)
    detail = str(inner or error) or type(inner or error).__name__
    return f"the connection to Bluesky failed ({redact(detail)[:200]})"


def _unreachable(error: httpx.ConnectError) -> str:
    """No connection to the PDS, in the words the other platforms use
    (:mod:`scheduler.platforms.unreachable`)."""
    try:
        url = error.request.url
        host, port = url.host, url.port
    except RuntimeError:  # the error carries no request
        host, port = "Bluesky", None
    address = f"{host}:{port}" if port else host
    text = str(error).lower()
    if "name or service" in text or "nodename" in text or "name resolution" in text:
        return (
            f"could not reach {host}: no network or DNS; check the connection or {BASE_URL_SETTING}"
        )
    if "refused" in text:
        check = (
            f"is the sandbox running (`campaign sandbox serve`)? if not, check {BASE_URL_SETTING}"
            if host in ("127.0.0.1", "localhost", "::1")
            else f"check {BASE_URL_SETTING}"
        )
        return f"could not connect to {address}: nothing is listening there; {check}"
    return f"could not connect to {address}; check the connection or {BASE_URL_SETTING}"


def _what(operation: str) -> str:
    return {"create_post": "post", "upload_media": "image"}.get(operation, operation)


def _reset(headers: dict[str, Any], clock: Clock) -> datetime:
    value = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError):
        return clock.now() + BLUESKY_RATE_LIMITS.default_wait
