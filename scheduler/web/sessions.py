"""The dashboard's cookie and the sign-ins behind it.

:class:`CookieSession` keeps a small signed cookie per browser (Starlette's
``SessionMiddleware`` format: base64 JSON signed by itsdangerous): the CSRF
token, messages for the next page, and, once signed in, the session id. It
differs from Starlette's in one point: the ``Secure`` flag is decided per
request (always beyond loopback or behind a public ``https`` address, and
whenever the request itself came over HTTPS).

The sign-in itself lives in the database
(:mod:`scheduler.storage.dashboard_sessions`): :class:`SignInState` looks the
session id up on each request and puts the operator's name in the request
scope (:data:`~scheduler.web.access.OPERATOR_SCOPE_KEY`), or drops an id whose
session has ended, expired or belongs to another operator token. So signing
out ends the session for every copy of the cookie.
"""

from __future__ import annotations

import json
import logging
from base64 import b64decode, b64encode
from datetime import timedelta

import itsdangerous
from itsdangerous.exc import BadSignature
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.errors import StorageError
from scheduler.storage import dashboard_sessions
from scheduler.web.access import OPERATOR_SCOPE_KEY, WebAccess
from scheduler.web.dashboard import dashboard

logger = logging.getLogger(__name__)

SESSION_ID_KEY = "sid"


class CookieSession:
    """The signed cookie as ``scope["session"]`` (a dict), written back on each response."""

    def __init__(self, app: ASGIApp, access: WebAccess) -> None:
        self.app = app
        self.name = access.cookie_name
        self.max_age_s = access.session_max_age_s
        self.always_secure = access.secure_cookies
        self.signer = itsdangerous.TimestampSigner(access.session_secret)

    def _read(self, connection: HTTPConnection) -> dict[str, object]:
        raw = connection.cookies.get(self.name)
        if not raw:
            return {}
        try:
            data = json.loads(b64decode(self.signer.unsign(raw.encode(), max_age=self.max_age_s)))
        except (BadSignature, ValueError):  # forged, expired, or not ours: start afresh
            return {}
        return data if isinstance(data, dict) else {}

    def _cookie(self, value: str, secure: bool, *, clear: bool = False) -> str:
        lifetime = "expires=Thu, 01 Jan 1970 00:00:00 GMT" if clear else f"Max-Age={self.max_age_s}"
        flags = "; Secure" if secure else ""
        return f"{self.name}={value}; path=/; {lifetime}; HttpOnly; SameSite=strict{flags}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = self._read(HTTPConnection(scope))
        scope["session"] = dict(found)
        secure = self.always_secure or scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                headers = MutableHeaders(scope=message)
                if session:
                    payload = b64encode(json.dumps(session).encode())
                    signed = self.signer.sign(payload).decode()
                    headers.append("Set-Cookie", self._cookie(signed, secure))
                elif found:
                    headers.append("Set-Cookie", self._cookie("null", secure, clear=True))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class SignInState:
    """Puts the signed-in operator's name in the scope, from the database."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            session = scope["session"]
            session_id = session.get(SESSION_ID_KEY)
            if isinstance(session_id, str):
                operator = await run_in_threadpool(_operator, Request(scope), session_id)
                if operator is None:
                    session.pop(SESSION_ID_KEY, None)
                scope[OPERATOR_SCOPE_KEY] = operator
        await self.app(scope, receive, send)


def _operator(request: Request, session_id: str) -> str | None:
    board = dashboard(request)
    fingerprint = board.access.token_fingerprint
    if fingerprint is None:
        return None
    try:
        return dashboard_sessions.signed_in_operator(
            board.sessions, session_id, fingerprint, board.wall_clock.now()
        )
    except (StorageError, SQLAlchemyError) as error:
        logger.error("dashboard: could not read the sign-ins: %s", error)
        return None


async def sign_in(request: Request, name: str) -> None:
    """Open a session for ``name`` in the database and put its id in a fresh cookie
    (a new CSRF token too; nothing from before the sign-in is kept).

    :raises StorageError: the database refused the session.
    """
    board = dashboard(request)
    fingerprint = board.access.token_fingerprint
    assert fingerprint is not None  # only called once the token matched
    client = request.client.host if request.client else "unknown"
    session_id = await run_in_threadpool(
        lambda: dashboard_sessions.open_session(
            board.sessions,
            operator=name,
            token_fingerprint=fingerprint,
            client=client,
            now=board.wall_clock.now(),
            lifetime=timedelta(seconds=board.access.session_max_age_s),
        )
    )
    request.session.clear()
    request.session[SESSION_ID_KEY] = session_id
    request.scope[OPERATOR_SCOPE_KEY] = name


async def sign_out(request: Request) -> None:
    """End this browser's session in the database (every copy of the cookie is
    signed out with it) and clear the cookie."""
    board = dashboard(request)
    session_id = request.session.get(SESSION_ID_KEY)
    if isinstance(session_id, str):
        await run_in_threadpool(
            dashboard_sessions.end_session, board.sessions, session_id, board.wall_clock.now()
        )
    request.session.clear()
    request.scope[OPERATOR_SCOPE_KEY] = None
