"""Graph API error answers: the bodies, HTTP statuses and headers Facebook sends.

Every error is ``{"error": {"message", "type", "code", "error_subcode"?,
"error_user_title"?, "error_user_msg"?, "is_transient", "fbtrace_id"}}`` served
as ``application/json`` [platforms.md 2.3]; facebook-sdk raises ``GraphAPIError``
for it whatever the HTTP status, as long as the Content-Type says JSON
[platforms.md 0.2].

:func:`fault_error` turns a :class:`~scheduler.platforms.faults.Fault` into the
answer the real platform gives in that situation.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from scheduler.platforms.faults import Fault
from scheduler.platforms.sandbox_server import Response

# Real Graph responses say UTF-8 in capitals [platforms.md 2]; facebook-sdk only
# looks for "json" in it, and a missing header makes it raise KeyError.
GRAPH_CONTENT_TYPE = "application/json; charset=UTF-8"

# Minutes a rate-limit fault tells the client to wait through
# ``estimated_time_to_regain_access`` (BUC header, minutes) [platforms.md 2.4].
FAULT_REGAIN_MIN = 10

PERMISSION_MESSAGE = (
    "(#200) If posting to a group, requires app being installed in the group, and either "
    "publish_to_groups permission with user token, or both pages_read_engagement and "
    "pages_manage_posts permission with page token; If posting to a page, requires both "
    "pages_read_engagement and pages_manage_posts as an admin with sufficient administrative "
    "permission"
)
REPEATED_CONTENT_MESSAGE = (
    "You've already posted this. Posting the same content repeatedly on Facebook isn't allowed."
)
PHOTO_USER_MESSAGE = (
    "Your photos couldn't be uploaded. Photos should be less than 4 MB and saved as JPG, PNG, "
    "GIF, TIFF, HEIF or WebP files."
)


@dataclass(frozen=True)
class CodeInfo:
    """How Facebook answers with one error code [platforms.md 2.3]."""

    status: int
    message: str
    is_transient: bool = False
    type: str = "OAuthException"


CODES: dict[int, CodeInfo] = {
    1: CodeInfo(500, "An unknown error has occurred.", True),
    2: CodeInfo(500, "An unexpected error has occurred. Please retry your request later.", True),
    4: CodeInfo(400, "(#4) Application request limit reached", True),
    10: CodeInfo(403, "(#10) This endpoint requires the 'pages_read_engagement' permission"),
    17: CodeInfo(400, "(#17) User request limit reached", True),
    32: CodeInfo(400, "(#32) Page request limit reached", True),
    100: CodeInfo(400, "Invalid parameter"),
    104: CodeInfo(400, "An access token is required to request this resource."),
    190: CodeInfo(400, "Invalid OAuth access token - Cannot parse access token"),
    200: CodeInfo(403, PERMISSION_MESSAGE),
    324: CodeInfo(400, "(#324) Requires upload file"),
    368: CodeInfo(400, REPEATED_CONTENT_MESSAGE),
    506: CodeInfo(400, "(#506) Duplicate status message"),
    613: CodeInfo(400, "(#613) Calls to this api have exceeded the rate limit.", True),
    2500: CodeInfo(400, "Unknown path components"),
    80001: CodeInfo(
        400,
        "There have been too many calls to this Page account. Wait a bit and try again.",
        True,
    ),
}

# Codes that are Page-level (Business Use Case) throttling: they come with an
# X-Business-Use-Case-Usage header carrying estimated_time_to_regain_access.
BUC_THROTTLING = frozenset({32, 80001})
APP_THROTTLING = frozenset({4, 17, 613})


def graph_error(
    code: int,
    message: str | None = None,
    *,
    subcode: int | None = None,
    status: int | None = None,
    error_type: str | None = None,
    user_title: str | None = None,
    user_message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error answer for ``code``; unset fields come from :data:`CODES`."""
    info = CODES.get(code, CodeInfo(400, "An unknown error has occurred."))
    text = message or info.message
    error: dict[str, object] = {
        "message": text,
        "type": error_type or info.type,
        "code": code,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_title:
        error["error_user_title"] = user_title
    if user_message:
        error["error_user_msg"] = user_message
    error["is_transient"] = info.is_transient
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    all_headers = dict(headers or {})
    if code in (104, 190):
        # Token problems carry this header on the real API [platforms.md 2.3].
        all_headers["WWW-Authenticate"] = (
            f'OAuth "Facebook Platform" "invalid_token" "{text.replace(chr(34), chr(39))}"'
        )
    return Response(
        status=status or info.status,
        body={"error": error},
        headers=all_headers,
        content_type=GRAPH_CONTENT_TYPE,
    )


def invalid_token(subcode: int | None = None, message: str | None = None) -> Response:
    """Code 190: 463 expired, 467 invalidated, none for an unreadable token."""
    return graph_error(190, message, subcode=subcode)


def expired_token(expired_at_text: str, now_text: str) -> Response:
    """Code 190 subcode 463 with the real message's wording."""
    return invalid_token(
        463,
        f"Error validating access token: Session has expired on {expired_at_text}. "
        f"The current time is {now_text}.",
    )


def invalidated_token() -> Response:
    """Code 190 subcode 467: the session behind the token was invalidated."""
    return invalid_token(
        467, "Error validating access token: The session is invalid because the user logged out."
    )


def invalid_photo() -> Response:
    """Code 100 subcode 1366046, the "Can't Read Files" answer [platforms.md 2.2, 2.3]."""
    return graph_error(
        100,
        "Invalid parameter",
        subcode=1366046,
        user_title="Can't Read Files",
        user_message=PHOTO_USER_MESSAGE,
    )


def throttled(code: int, page_id: str | None, regain_min: int) -> Response:
    """A throttling error; Page-level codes say when access comes back (minutes)."""
    headers: dict[str, str] = {}
    if code in BUC_THROTTLING and page_id is not None:
        headers["X-Business-Use-Case-Usage"] = buc_header(page_id, 100, regain_min)
    else:
        headers["X-App-Usage"] = json.dumps(
            {"call_count": 100, "total_time": 100, "total_cputime": 100}
        )
    return graph_error(code, headers=headers)


def buc_header(page_id: str, percent: int, regain_min: int) -> str:
    """``X-Business-Use-Case-Usage`` for one Page; ``regain_min`` in minutes."""
    return json.dumps(
        {
            page_id: [
                {
                    "type": "pages",
                    "call_count": percent,
                    "total_cputime": min(percent, 100) // 4,
                    "total_time": min(percent, 100) // 4,
                    "estimated_time_to_regain_access": regain_min,
                }
            ]
        },
        separators=(",", ":"),
    )


def fault_error(fault: Fault, page_id: str | None, endpoint: str = "") -> Response | None:
    """The answer a fault asks for, or None for kinds that are not an error answer
    (``slow``, ``drop_after``, ``error_after``, the X-only kinds, and
    ``processing_failed`` on ``facebook.videos``, where processing fails later)."""
    kind = fault.kind
    if kind in ("rate_limit", "cap_24h"):
        code = fault.code or 32
        regain = 24 * 60 if kind == "cap_24h" else FAULT_REGAIN_MIN
        return throttled(code, page_id, regain)
    if kind == "server_error":
        return graph_error(fault.code or 1, status=fault.status)
    if kind in ("timeout", "drop_before"):
        delay = (fault.delay_s or 30.0) if kind == "timeout" else fault.delay_s
        return Response(drop=True, delay_s=delay)
    if kind == "unauthorized":
        return invalidated_token()
    if kind == "expired_token":
        return expired_token("Monday, 26-Oct-20 01:00:00 PDT", "Monday, 26-Oct-20 02:00:00 PDT")
    if kind == "forbidden":
        return graph_error(200, status=fault.status)
    if kind == "duplicate":
        return graph_error(506, status=fault.status)
    if kind == "invalid_media" or (kind == "processing_failed" and endpoint != "facebook.videos"):
        return invalid_photo()
    if kind == "fb_code":
        code = fault.code if fault.code is not None else 1
        if code in (4, 17, 32, 613, 80001):
            return throttled(code, page_id, FAULT_REGAIN_MIN)
        if code == 190:
            return invalid_token()
        return graph_error(code, status=fault.status)
    return None
