"""Translate what tweepy and requests raise into the publishing outcomes.

X API v2 errors are RFC 7807 problem objects without numeric codes, so tweepy's
``api_codes`` is empty and classification uses the HTTP status plus the
problem's ``type``, ``title`` and ``detail`` [platforms.md 0.1, 1.3, 1.4]:

===============================  ==================================================
429 (rate limit, 24-hour cap)    RateLimited; ``reset_at`` from ``x-rate-limit-reset``,
                                 or the 24-hour reset when that window is spent
402 CreditsDepleted              AuthFailed (the account must be topped up)
401                              AuthFailed
403 duplicate content            DuplicateContent
403 oauth1-permissions,          AuthFailed
client-forbidden, or any 403
while verifying
other 403, 400, 404, 413, 422    Rejected (content or media refused)
5xx                              UnknownOutcome on the create call, else TransientError
timeout / dropped connection     UnknownOutcome on the create call, else TransientError
refused connection, DNS failure  TransientError (nothing was sent), in plain words
                                 (:mod:`~scheduler.platforms.unreachable`)
===============================  ==================================================

``platform_code`` keeps the problem type's last segment (``credits``,
``oauth1-permissions``) or its title when the type is ``about:blank``;
``platform_message`` keeps X's own words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
import urllib3

from scheduler.clock import Clock
from scheduler.errors import (
    AuthFailed,
    DuplicateContent,
    PublishError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.secrets import redact
from scheduler.platforms.unreachable import describe_unreachable
from scheduler.platforms.x.rates import X_RATE_LIMITS

_DUPLICATE = "duplicate content"
# When X sends no reset header the standard window is 15 minutes [platforms.md 1.2].
_DEFAULT_WINDOW = X_RATE_LIMITS.default_wait
BASE_URL_SETTING = "platforms.x.api_base_url"  # named in messages about an unreachable API


def problem_of(response: requests.Response | None) -> dict[str, Any]:
    """The JSON error body of ``response``, or {} when there is none or it is not JSON."""
    if response is None:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _platform_code(problem: dict[str, Any]) -> str | None:
    kind = str(problem.get("type") or "")
    if kind and kind != "about:blank":
        return kind.rstrip("/").rsplit("/", 1)[-1]
    title = problem.get("title")
    return str(title) if title else None


def _epoch(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def rate_limit_reset(response: requests.Response, clock: Clock) -> datetime:
    """When the limit that refused ``response`` resets (aware UTC).

    The 24-hour user or app cap wins when its ``remaining`` header is 0, since
    waiting for the 15-minute window would only be refused again.
    """
    headers = response.headers
    for scope in ("user", "app"):
        if headers.get(f"x-{scope}-limit-24hour-remaining") == "0":
            reset = _epoch(headers.get(f"x-{scope}-limit-24hour-reset"))
            if reset is not None:
                return reset
    return _epoch(headers.get("x-rate-limit-reset")) or clock.now() + _DEFAULT_WINDOW


def translate_http_error(
    error: tweepy.HTTPException, operation: str, creates: bool, clock: Clock
) -> PublishError:
    """Map an HTTP error answer of the X API to its outcome (table in the module docstring)."""
    response: requests.Response = error.response
    status = response.status_code
    problem = problem_of(response)
    messages = [str(message) for message in error.api_messages if message]
    detail = "; ".join(messages) or str(problem.get("detail") or response.reason or "")
    fields: dict[str, Any] = {
        "http_status": status,
        "platform_code": _platform_code(problem),
        "platform_message": redact(detail),
    }
    what = f"X {operation}"
    if status == 429:
        reset_at = rate_limit_reset(response, clock)
        return RateLimited(
            f"{what}: rate limited until {reset_at:%Y-%m-%d %H:%M:%S} UTC",
            reset_at=reset_at,
            **fields,
        )
    if status == 402:
        return AuthFailed(f"{what}: the account's API credits are spent", **fields)
    if status == 401:
        return AuthFailed(f"{what}: credentials refused", **fields)
    if status == 403:
        if _DUPLICATE in detail.lower():
            return DuplicateContent(f"{what}: X already has a post with this text", **fields)
        code = fields["platform_code"] or ""
        if operation == "verify" or code in ("oauth1-permissions", "client-forbidden"):
            return AuthFailed(f"{what}: not allowed", **fields)
        return Rejected(f"{what}: refused", **fields)
    if status >= 500:
        if creates:
            return UnknownOutcome(f"{what}: server error; the post may exist", **fields)
        return TransientError(f"{what}: server error", **fields)
    return Rejected(f"{what}: refused", **fields)


def translate_x_error(
    error: Exception, operation: str, creates: bool, clock: Clock
) -> PublishError:
    """Map any exception raised while calling X to a PublishError (module docstring)."""
    what = f"X {operation}"
    if isinstance(error, tweepy.HTTPException):
        return translate_http_error(error, operation, creates, clock)
    if isinstance(error, requests.ConnectTimeout) or (
        isinstance(error, requests.ConnectionError) and _refused(error)
    ):
        # The connection was never made, so nothing can have been applied.
        reason = describe_unreachable(error, BASE_URL_SETTING)
        return TransientError(f"{what}: {reason or 'could not connect'}")
    if isinstance(error, requests.RequestException):
        kind = "timed out" if isinstance(error, requests.Timeout) else "connection lost"
        if creates:
            return UnknownOutcome(f"{what}: {kind} after sending; the post may exist")
        return TransientError(f"{what}: {kind}")
    if isinstance(error, OSError):
        return Rejected(f"{what}: cannot read the media file ({redact(str(error))})")
    if creates:
        return UnknownOutcome(f"{what}: unexpected answer ({type(error).__name__})")
    return TransientError(
        f"{what}: unexpected answer ({type(error).__name__}: {redact(str(error))})"
    )


def _refused(error: requests.ConnectionError) -> bool:
    """True when the connection was never made (refused, DNS failure): nothing was sent."""
    cause = error.args[0] if error.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    return isinstance(cause, urllib3.exceptions.NewConnectionError | ConnectionRefusedError)
