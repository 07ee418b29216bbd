"""The X stand-in's answers: observed error bodies and the headers real answers carry.

Error bodies are copied from live X API answers [platforms.md 1.2, 1.4]; they
are sent as ``application/json; charset=utf-8`` (not problem+json), as X does.
Problem ``type`` URLs use ``https://api.twitter.com/2/problems/...`` like the
live API.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from scheduler.platforms.sandbox_server import Response
from scheduler.platforms.x.sandbox.limits import WindowState

API_VERSION = "2.167"
PROBLEMS = "https://api.twitter.com/2/problems/"
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text "
    "length see https://github.com/twitter/twitter-text."
)
INVALID_REQUEST_DETAIL = "One or more parameters to your request was invalid."


def blank_problem(status: int, title: str, detail: str) -> dict[str, Any]:
    """The ``about:blank`` problem shape X sends for 401, 403, 429 and 5xx."""
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


def invalid_request(message: str, parameters: dict[str, list[str]] | None = None) -> Response:
    """400 with the invalid-request envelope [platforms.md 1.4]."""
    error: dict[str, Any] = {"message": message}
    if parameters:
        error = {"parameters": parameters, "message": message}
    return Response(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": INVALID_REQUEST_DETAIL,
            "type": PROBLEMS + "invalid-request",
        },
    )


def too_long() -> Response:
    return invalid_request(TOO_LONG)


def unauthorized() -> Response:
    return Response(401, blank_problem(401, "Unauthorized", "Unauthorized"))


def duplicate() -> Response:
    return Response(
        403,
        blank_problem(
            403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
        ),
    )


def read_only_app() -> Response:
    return Response(
        403,
        {
            "title": "Forbidden",
            "detail": "Your client app is not configured with the appropriate oauth1 app "
            "permissions for this endpoint.",
            "type": PROBLEMS + "oauth1-permissions",
            "status": 403,
        },
    )


def missing_scopes(scopes: frozenset[str]) -> Response:
    """403 for an OAuth 2.0 user token without the scopes the endpoint lists (X's
    exact wording is not documented: the stand-in names the scopes)."""
    return Response(
        403,
        {
            "title": "Forbidden",
            "detail": "The OAuth 2.0 token lacks the scopes this endpoint needs: "
            + " ".join(sorted(scopes)),
            "type": "about:blank",
            "status": 403,
        },
    )


def credits_depleted(account_number: int) -> Response:
    return Response(
        402,
        {
            "account_id": account_number,
            "title": "CreditsDepleted",
            "detail": f"Your enrolled account [{account_number}] does not have any credits "
            "to fulfill this request.",
            "type": PROBLEMS + "credits",
        },
    )


def too_many_requests() -> Response:
    return Response(429, blank_problem(429, "Too Many Requests", "Too Many Requests"))


def server_error(status: int = 503) -> Response:
    """5xx: an HTML page for 502 (as X's edge sends), a blank problem otherwise."""
    if status == 502:
        page = b"<html><head><title>Bad Gateway</title></head><body>Bad Gateway</body></html>"
        return Response(502, page, content_type="text/html; charset=utf-8")
    titles = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}
    title = titles.get(status, "Service Unavailable")
    return Response(status, blank_problem(status, title, title))


def not_found(kind: str, value: str, parameter: str = "id") -> Response:
    """200 with a resource-not-found error, as v2 lookups answer for unknown ids."""
    return Response(
        200,
        {
            "errors": [
                {
                    "value": value,
                    "detail": f"Could not find {kind} with {parameter}: [{value}].",
                    "title": "Not Found Error",
                    "resource_type": kind,
                    "parameter": parameter,
                    "resource_id": value,
                    "type": PROBLEMS + "resource-not-found",
                }
            ]
        },
    )


def common_headers(access_level: str | None, started: float) -> dict[str, str]:
    """Headers on every X answer [platforms.md 1.1; cassettes]."""
    headers = {
        "api-version": API_VERSION,
        "cache-control": "no-cache, no-store, max-age=0",
        "x-transaction-id": secrets.token_hex(8),
        "x-response-time": str(max(int((time.perf_counter() - started) * 1000), 1)),
        "x-content-type-options": "nosniff",
        "x-frame-options": "SAMEORIGIN",
        "strict-transport-security": "max-age=631138519",
    }
    if access_level:
        headers["x-access-level"] = access_level
    return headers


def window_headers(window: WindowState) -> dict[str, str]:
    """``x-rate-limit-limit/remaining/reset`` for the endpoint's 15-minute window."""
    return {
        "x-rate-limit-limit": str(window.limit),
        "x-rate-limit-remaining": str(window.remaining),
        "x-rate-limit-reset": window.reset_epoch,
    }


def daily_headers(scope: str, window: WindowState) -> dict[str, str]:
    """``x-{user|app}-limit-24hour-limit/remaining/reset`` [platforms.md 1.2]."""
    return {
        f"x-{scope}-limit-24hour-limit": str(window.limit),
        f"x-{scope}-limit-24hour-remaining": str(window.remaining),
        f"x-{scope}-limit-24hour-reset": window.reset_epoch,
    }
