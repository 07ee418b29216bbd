"""Signing in with the operator token, and out again."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scheduler.web.access import CSRF_FIELD, check_csrf, sign_in, sign_out, token_matches
from scheduler.web.dashboard import dashboard, flash

logger = logging.getLogger(__name__)

NAME_MAX_CHARS = 60


def safe_next(target: object) -> str:
    """Only a path on this dashboard, never another site (an open redirect)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return target


def _signin_url(target: str) -> str:
    return "/signin?" + urlencode({"next": target})


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
    """``POST /signin``: check the CSRF token, then the operator token."""
    board = dashboard(request)
    form = await request.form()
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
        logger.warning("dashboard sign-in refused from %s", request.client)
        flash(
            request,
            "error",
            "Sign-in refused: that is not the operator token. Ask whoever runs "
            f"`campaign web` for the value of {board.config.web.operator_token_env}.",
        )
        return RedirectResponse(_signin_url(target), status_code=303)
    sign_in(request, name)
    logger.info("dashboard sign-in by %s from %s", name, request.client)
    flash(request, "ok", f"Signed in as {name}.")
    return RedirectResponse(target, status_code=303)


async def signout_submit(request: Request) -> Response:
    """``POST /signout``."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    sign_out(request)
    flash(request, "ok", "Signed out.")
    return RedirectResponse("/", status_code=303)
