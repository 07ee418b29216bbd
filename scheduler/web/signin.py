"""Signing in with the operator token, and out again.

A sign-in opens a session in the database and a sign-out ends it (see
:mod:`scheduler.web.sessions`). Wrong tokens are slowed down per client
(:mod:`scheduler.web.throttle`): while a client waits, its sign-ins are
refused with 429 and the time left, without the token being looked at.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import urlencode, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scheduler.printable import has_control_characters
from scheduler.web.access import CSRF_FIELD, check_csrf, token_matches
from scheduler.web.dashboard import dashboard, flash
from scheduler.web.forms import read_form
from scheduler.web.sessions import sign_in, sign_out
from scheduler.web.throttle import client_key

logger = logging.getLogger(__name__)

NAME_MAX_CHARS = 60
NEXT_MAX_CHARS = 2000


def safe_next(target: object) -> str:
    """Only a path on this dashboard, never another site (an open redirect)."""
    if (
        not isinstance(target, str)
        or not target.startswith("/")
        or target.startswith("//")
        or len(target) > NEXT_MAX_CHARS
        or has_control_characters(target)
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return target


def _signin_url(target: str) -> str:
    return "/signin?" + urlencode({"next": target})


def _seconds(wait_s: float) -> str:
    whole = max(1, math.ceil(wait_s))
    return f"{whole} second{'s' if whole != 1 else ''}"


def signin_form(request: Request) -> Response:
    """``GET /signin``: the form (token and a name for the audit trail)."""
    board = dashboard(request)
    return board.render(
        request,
        "signin.html",
        {
            "next": safe_next(request.query_params.get("next", "/")),
            "token_env": board.config.web.operator_token_env,
            "page": "signin",
        },
    )


async def signin_submit(request: Request) -> Response:
    """``POST /signin``: the client's wait, the CSRF token, then the operator token."""
    board = dashboard(request)
    client = client_key(request.client.host if request.client else None)
    wait = board.throttle.wait_s(client)
    if wait > 0:
        raise HTTPException(
            429,
            f"Too many wrong operator tokens from your address. Wait {_seconds(wait)}, "
            "then try again.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    form = await read_form(request)
    check_csrf(request, form.get(CSRF_FIELD))
    target = safe_next(form.get("next"))
    name = " ".join(str(form.get("name", "")).split())[:NAME_MAX_CHARS]
    token = form.get("token")
    if not board.access.actions_enabled:
        flash(request, "error", "No operator token is configured: the dashboard is read-only.")
        return RedirectResponse(_signin_url(target), status_code=303)
    if not name or not isinstance(token, str) or not token.strip():
        flash(request, "error", "Sign-in refused: give your name and the operator token.")
        return RedirectResponse(_signin_url(target), status_code=303)
    if not token_matches(board.access, token):
        wait = board.throttle.failed(client)
        later = f" Wait {_seconds(wait)} before the next try." if wait > 0 else ""
        flash(
            request,
            "error",
            "Sign-in refused: that is not the operator token. Ask whoever runs "
            f"`campaign web` for the value of {board.config.web.operator_token_env}.{later}",
        )
        return RedirectResponse(_signin_url(target), status_code=303)
    board.throttle.succeeded(client)
    await sign_in(request, name)
    logger.info("dashboard sign-in by %s from %s", name, client)
    flash(request, "ok", f"Signed in as {name}.")
    return RedirectResponse(target, status_code=303)


async def signout_submit(request: Request) -> Response:
    """``POST /signout``: the session ends for every copy of its cookie."""
    form = await read_form(request)
    check_csrf(request, form.get(CSRF_FIELD))
    await sign_out(request)
    flash(request, "ok", "Signed out.")
    return RedirectResponse("/", status_code=303)
