"""Facebook failures translated into :mod:`scheduler.errors` outcomes.

By Graph error code (from the ``{"error": {...}}`` body [platforms.md 2.3])::

    4, 17, 32, 341, 613, 80001   RateLimited; reset_at = now + the largest
                                 estimated_time_to_regain_access (minutes) in
                                 X-Business-Use-Case-Usage / X-App-Usage / X-Page-Usage,
                                 else now + 15 minutes (DEFAULT_RATE_LIMIT_WAIT)
    190, 102, 10, 200-299        AuthFailed
    506; 368 "already posted"    DuplicateContent
    368 otherwise                AuthFailed (the Page is blocked from posting for a while)
    100, 324, 1609005            Rejected
    any other, on a read or      TransientError (nothing visible changed)
    a photo upload
    any other, on create_post    UnknownOutcome for codes 1 and 2, no code, or HTTP 5xx
                                 (koala#699: photos were posted despite a code-2 500);
                                 TransientError when is_transient; else Rejected

Without a Graph error: connection refused, DNS failure or connect timeout ->
TransientError (nothing was sent), said in plain words
(:mod:`~scheduler.platforms.unreachable`); read timeout, dropped connection,
or an answer facebook-sdk cannot read (no Content-Type raises ``KeyError``
inside it, a non-JSON body ``GraphAPIError`` without a code) -> UnknownOutcome
on create_post, else TransientError.

``platform_code`` is ``"code"`` or ``"code/subcode"`` (``"190/463"``);
``platform_message`` is Facebook's ``message``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import facebook
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from scheduler.errors import (
    AuthFailed,
    DuplicateContent,
    PublishError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.facebook.rates import DEFAULT_WAIT
from scheduler.platforms.unreachable import describe_unreachable

DEFAULT_RATE_LIMIT_WAIT = DEFAULT_WAIT
BASE_URL_SETTING = "platforms.facebook.api_base_url"  # named in messages about an unreachable API
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001})
AUTH_CODES = frozenset({10, 102, 190, *range(200, 300)})
REJECTED_CODES = frozenset({100, 324, 1609005})
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage")
# Code 368 is also a policy block; only this wording means repeated content (koala#422).
REPEATED_CONTENT = re.compile(r"already posted|same content repeatedly", re.IGNORECASE)


def translate(
    error: Exception,
    *,
    where: str,
    creates: bool,
    response: requests.Response | None,
    now: datetime,
    timeout_s: float,
    redact: Callable[[str], str],
) -> PublishError:
    """The outcome for ``error`` raised by facebook-sdk or requests.

    ``where`` prefixes the message (account and operation); ``creates`` is True
    for the create call; ``response`` is the last HTTP answer of the failing call
    (None when none came back); ``now`` is campaign time (aware UTC), the base of
    ``reset_at``; ``redact`` removes credentials from any text kept.
    """
    status = response.status_code if response is not None else None
    if isinstance(error, facebook.GraphAPIError):
        return _graph_error(error, where, creates, response, now, redact)
    if isinstance(error, requests.ConnectTimeout) or _refused(error):
        reason = describe_unreachable(error, BASE_URL_SETTING)
        return TransientError(
            f"{where}: {reason or 'could not connect to the Graph API: ' + redact(str(error))}"
        )
    if isinstance(error, requests.Timeout):
        text = f"{where}: no answer within {timeout_s:g} s"
        return UnknownOutcome(text + "; the post may exist") if creates else TransientError(text)
    if isinstance(error, requests.RequestException):
        text = f"{where}: the connection failed: {redact(str(error))}"
        return UnknownOutcome(text + "; the post may exist") if creates else TransientError(text)
    text = (
        f"{where}: unreadable answer from the Graph API "
        f"({type(error).__name__}: {redact(str(error))})"
    )
    if creates:
        return UnknownOutcome(text + "; the post may exist", http_status=status)
    return TransientError(text, http_status=status)


def _graph_error(
    error: facebook.GraphAPIError,
    where: str,
    creates: bool,
    response: requests.Response | None,
    now: datetime,
    redact: Callable[[str], str],
) -> PublishError:
    status = response.status_code if response is not None else None
    body = error.result if isinstance(error.result, dict) else {}
    raw_details = body.get("error")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    code = error.code if isinstance(error.code, int) else None
    subcode = details.get("error_subcode")
    message = redact(str(error.message))
    user_message = details.get("error_user_msg")
    text = f"{where}: {message}" + (f" ({user_message})" if user_message else "")
    fields: dict[str, Any] = {
        "http_status": status,
        "platform_code": f"{code}/{subcode}" if subcode else (str(code) if code else None),
        "platform_message": message,
    }
    if code in RATE_LIMIT_CODES:
        return RateLimited(text, reset_at=reset_at(response, now), **fields)
    if code in AUTH_CODES:
        return AuthFailed(text, **fields)
    if code == 506 or (code == 368 and REPEATED_CONTENT.search(f"{message} {user_message}")):
        return DuplicateContent(text, **fields)
    if code == 368:
        return AuthFailed(text + "; the Page is blocked from posting for a while", **fields)
    if code in REJECTED_CODES:
        return Rejected(text, **fields)
    if not creates:
        return TransientError(text, **fields)
    if code is None or code in (1, 2) or status is None or status >= 500:
        return UnknownOutcome(text + "; the post may exist", **fields)
    if details.get("is_transient"):
        return TransientError(text, **fields)
    return Rejected(text, **fields)


def reset_at(response: requests.Response | None, now: datetime) -> datetime:
    """``now`` plus the largest ``estimated_time_to_regain_access`` (minutes) in the
    usage headers [platforms.md 2.4], or plus :data:`DEFAULT_RATE_LIMIT_WAIT`."""
    minutes = 0.0
    for name in USAGE_HEADERS:
        raw = response.headers.get(name) if response is not None else None
        try:
            usage = json.loads(raw or "{}")
        except ValueError:
            continue
        minutes = max([minutes, *_regain_minutes(usage)])
    return now + (timedelta(minutes=minutes) if minutes > 0 else DEFAULT_RATE_LIMIT_WAIT)


def _regain_minutes(usage: object) -> list[float]:
    """Every ``estimated_time_to_regain_access`` in a usage header's JSON, at any depth."""
    if isinstance(usage, dict):
        found = [
            float(value)
            for key, value in usage.items()
            if key == "estimated_time_to_regain_access" and isinstance(value, int | float)
        ]
        for value in usage.values():
            found.extend(_regain_minutes(value))
        return found
    if isinstance(usage, list):
        return [minutes for item in usage for minutes in _regain_minutes(item)]
    return []


def _refused(error: Exception) -> bool:
    """True when the connection was never made, so nothing was sent."""
    reason = error.args[0] if isinstance(error, requests.ConnectionError) and error.args else None
    return isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError)
