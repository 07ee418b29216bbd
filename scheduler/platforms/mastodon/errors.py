"""Mastodon failures translated into :mod:`scheduler.errors` outcomes.

Mastodon.py raises one exception per kind of answer [platforms-2026.md 6.5];
the server's words are the ``error`` of its JSON body [platforms-2026.md 6.4]::

    MastodonRatelimitError (429)        RateLimited; reset_at from X-RateLimit-Reset
                                        (an ISO 8601 time), else now + 5 minutes
    MastodonUnauthorizedError (401)     AuthFailed
    403                                 AuthFailed (the token lacks a scope)
    404 on a read                       TransientError; delete reads it as "gone" itself
    422, other 4xx                      Rejected (``platform_code`` "media" for a media
                                        upload, so the fix names the file)
    MastodonServerError (5xx)           UnknownOutcome on create_post, else TransientError
    MastodonNetworkError                connection never made (refused, DNS, connect
                                        timeout): TransientError, nothing was sent;
                                        read timeout or dropped answer: UnknownOutcome
                                        on create_post, else TransientError
    an unreadable answer                as a dropped answer

The library wraps every ``requests`` exception in ``MastodonNetworkError``
("Could not complete request: ..."); the original is its ``__context__``,
which tells a connection that was never made from an answer that never came.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests
from mastodon import (
    MastodonAPIError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from scheduler.errors import (
    AuthFailed,
    PublishError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.mastodon.rates import FIVE_MINUTES
from scheduler.platforms.secrets import redact
from scheduler.platforms.unreachable import describe_unreachable

BASE_URL_SETTING = "platforms.mastodon.api_base_url"


def translate(
    error: Exception,
    *,
    where: str,
    operation: str,
    creates: bool,
    response: requests.Response | None,
    now: datetime,
    timeout_s: float,
) -> PublishError:
    """The outcome for ``error`` raised by Mastodon.py.

    ``where`` prefixes the message (account and operation); ``creates`` is True
    for the create call; ``response`` is the last HTTP answer of the failing
    call (None when none came back); ``now`` is campaign time (aware UTC).
    """
    status = response.status_code if response is not None else None
    words = _server_words(response)
    fields: dict[str, Any] = {"http_status": status, "platform_message": words}
    if isinstance(error, MastodonRatelimitError) or status == 429:
        return RateLimited(
            f"{where}: the server's rate limit is spent" + (f" ({words})" if words else ""),
            reset_at=reset_at(response, now),
            **fields,
        )
    if isinstance(error, MastodonNetworkError):
        cause = error.__context__
        if isinstance(cause, requests.ConnectTimeout) or _never_connected(cause):
            reason = describe_unreachable(cause or error, BASE_URL_SETTING)
            return TransientError(f"{where}: {reason or 'could not connect to the server'}")
        text = (
            f"{where}: no answer within {timeout_s:g} s"
            if isinstance(cause, requests.Timeout)
            else f"{where}: the connection failed: {redact(str(cause or error))}"
        )
        return UnknownOutcome(text + "; the post may exist") if creates else TransientError(text)
    if isinstance(error, MastodonUnauthorizedError) or status == 401:
        return AuthFailed(f"{where}: the server refused the access token ({words})", **fields)
    if status == 403:
        return AuthFailed(f"{where}: the access token may not do this ({words})", **fields)
    if isinstance(error, MastodonAPIError) and status is not None and 400 <= status < 500:
        code = "media" if operation == "upload_media" else None
        return Rejected(f"{where}: {words or 'refused'}", platform_code=code, **fields)
    text = f"{where}: the server failed ({status or type(error).__name__}: {words or redact(str(error))})"
    if creates:
        return UnknownOutcome(text + "; the post may exist", **fields)
    return TransientError(text, **fields)


def reset_at(response: requests.Response | None, now: datetime) -> datetime:
    """When the spent limit resets: ``X-RateLimit-Reset`` (ISO 8601), else (none, or
    one already past) ``now`` plus five minutes, the shortest window
    [platforms-2026.md 6.4]. Not read against the answer's ``Date``: that has
    whole seconds, and a stand-in's is the machine's, not its campaign clock's."""
    headers = response.headers if response is not None else {}
    reset = _time(headers.get("X-RateLimit-Reset", ""))
    if reset is None or reset <= now:
        return now + FIVE_MINUTES
    return reset


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _server_words(response: requests.Response | None) -> str | None:
    """The ``error`` of a JSON error body, credentials removed."""
    if response is None or response.ok:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    words = body.get("error") if isinstance(body, dict) else None
    return redact(str(words))[:500] if words else None


def _never_connected(cause: BaseException | None) -> bool:
    if not isinstance(cause, requests.ConnectionError):
        return False
    text = str(cause)
    return "NewConnectionError" in text or "Failed to resolve" in text or "refused" in text
