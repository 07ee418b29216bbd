"""What every request passes before it reaches a page.

- :class:`SecurityHeaders`: a strict Content-Security-Policy (no inline script
  or style, nothing from another origin) and the other headers, on every
  response, error pages and redirects included.
- :class:`RequestGuard`: an address holding a control character (``%00``, an
  escape sequence), an address longer than :data:`MAX_TARGET_CHARS`, or a body
  larger than :data:`~scheduler.web.forms.MAX_FORM_BYTES` gets 400, 414 or
  413 with a plain sentence, before any handler or the database sees it.
- :class:`ReadGuard`: visitors who are not signed in are sent to the sign-in
  page when reading is not open; the redirect starts from the public address,
  never from the request's Host header. The one exception is the calendar
  feed with its secret token (``/schedule.ics?token=...``, see
  :mod:`scheduler.storage.feed_token`), which a team calendar on another
  machine fetches without signing in; a wrong or revoked token is refused.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.printable import has_control_characters
from scheduler.storage.database import reading
from scheduler.storage.feed_token import feed_token_matches
from scheduler.web.access import WebAccess, is_operator
from scheduler.web.forms import MAX_FORM_BYTES

PUBLIC_PREFIXES = ("/signin", "/static/")
FEED_PATH = "/schedule.ics"
MAX_TARGET_CHARS = 4000
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _refusal(scope: Scope) -> Response | None:
    path: str = scope.get("path", "")
    query: bytes = scope.get("query_string", b"")
    if len(path) + len(query) > MAX_TARGET_CHARS:
        return PlainTextResponse("This address is too long.", status_code=414)
    decoded_query = unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8", "replace")
    if has_control_characters(path) or has_control_characters(decoded_query):
        return PlainTextResponse(
            "This address holds a control character (such as a NUL byte); no page has one.",
            status_code=400,
        )
    for name, value in scope.get("headers", []):
        if name == b"content-length" and (not value.isdigit() or int(value) > MAX_FORM_BYTES):
            return PlainTextResponse(
                f"The request is larger than the dashboard takes ({MAX_FORM_BYTES} bytes).",
                status_code=413,
            )
    return None


class RequestGuard:
    """Refuses hostile addresses and oversized bodies with a plain message (see the
    module docstring); a body sent without a length is counted as it arrives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_FORM_BYTES:
                raise HTTPException(
                    413, f"The request is larger than the dashboard takes ({MAX_FORM_BYTES} bytes)."
                )
            return message

        await self.app(scope, counted_receive, send)


class ReadGuard:
    """Sends visitors who are not signed in to the sign-in page when reading is not open."""

    def __init__(self, app: ASGIApp, access: WebAccess) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.access.open_reading or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if is_operator(request) or request.url.path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        if request.url.path == FEED_PATH and "token" in request.query_params:
            if await run_in_threadpool(self._feed_token_matches, scope, request):
                await self.app(scope, receive, send)
            else:
                await PlainTextResponse(
                    "This calendar feed address is not valid any more (its token was replaced). "
                    "Ask whoever runs the dashboard for the new address, and subscribe to it.",
                    status_code=403,
                )(scope, receive, send)
            return
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            location = f"{self.access.base_url(request)}/signin?{urlencode({'next': target})}"
            response: Response = RedirectResponse(location, 303)
        else:
            response = PlainTextResponse("Sign in first.", status_code=403)
        await response(scope, receive, send)

    @staticmethod
    def _feed_token_matches(scope: Scope, request: Request) -> bool:
        board = scope["app"].state.dashboard  # the app's parts (scheduler.web.dashboard)
        with reading(board.sessions) as session:
            return feed_token_matches(session, request.query_params.get("token"))
