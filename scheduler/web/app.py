"""The dashboard's application factory: routes, templates and middleware.

Middleware, outermost first: trusted Host header (loopback names only when
bound to loopback), the signed session cookie, the read guard (every page but
sign-in needs a sign-in when reading is not open), and security headers (a
strict Content-Security-Policy: no inline script or style, nothing from
another origin).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.errors import CampaignError
from scheduler.web import pages, signin
from scheduler.web.access import WebAccess, is_operator
from scheduler.web.actions import action_routes
from scheduler.web.dashboard import Dashboard, dashboard
from scheduler.web.formatting import (
    duration,
    local_datetime,
    local_day,
    local_time,
    platform_name,
    relative,
    state_label,
)
from scheduler.web.media import MediaDirectory

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "campaign_dashboard"
PUBLIC_PREFIXES = ("/signin", "/static/")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class ReadGuard:
    """Sends visitors who are not signed in to the sign-in page when reading is not open."""

    def __init__(self, app: ASGIApp, open_reading: bool) -> None:
        self.app = app
        self.open_reading = open_reading

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.open_reading or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if is_operator(request) or request.url.path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response: Response = RedirectResponse(
                str(request.url_for("signin").include_query_params(next=target)), 303
            )
        else:
            response = Response("Sign in first.", status_code=403)
        await response(scope, receive, send)


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


def _templates(config: CampaignConfig) -> Jinja2Templates:
    zone = config.campaign.zone
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value from posts is escaped; nothing is marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters: dict[str, Any] = {
        "when": lambda instant: local_datetime(instant, zone),
        "clock": lambda instant: local_time(instant, zone),
        "local_date": lambda instant: instant.astimezone(zone).date(),
        "day": local_day,
        "relative": relative,
        "duration": duration,
        "state_label": state_label,
        "platform_name": platform_name,
    }
    environment.filters.update(filters)
    calls = list(config.calls)

    def call_label(call: str) -> str:
        wording = config.calls.get(call, {})
        return wording.get("en") or next(iter(wording.values()), call)

    environment.globals.update(
        {
            "call_label": call_label,
            "call_wording": lambda call, language: config.calls.get(call, {}).get(language, ""),
            "call_index": lambda call: calls.index(call) % 6 if call in calls else 5,
            "language_name": lambda code: config.languages.get(code, code),
            "post_href": lambda post_id: "/posts/" + quote(post_id, safe=""),
            "thumb_href": lambda path: "/thumbs/" + quote(path),
            "media_href": lambda path: "/media/" + quote(path),
        }
    )
    return Jinja2Templates(env=environment)


def _error_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 404 and exc.detail == "Not Found":
        status, message = 404, "There is no page at this address."  # Starlette's router
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, str(exc.detail)
    elif isinstance(exc, SQLAlchemyError):
        logger.error("dashboard: the database failed: %s", exc)
        status, message = 503, "The database did not answer; try again in a moment."
    else:
        status, message = 409, str(exc)
    context = {"status": status, "message": message, "links": [], "page": "error"}
    return dashboard(request).render(request, "error.html", context, status)


def create_app(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    clock: Clock,
    access: WebAccess,
) -> Starlette:
    """The dashboard as an ASGI application.

    ``sessions`` come from :func:`scheduler.storage.database.open_database` (the
    daemon's database); ``clock`` gives "now" for the countdown, today and
    actions; ``access`` says who may read and act (see :mod:`scheduler.web.access`).
    """
    routes = [
        Route("/", pages.calendar_page, name="calendar"),
        Route("/posts/{post_id}", pages.post_page, name="post"),
        Route("/history", pages.history_page, name="history"),
        Route("/history.csv", pages.history_csv_export, name="history_csv"),
        Route("/attention", pages.attention_page, name="attention"),
        Route("/schedule.ics", pages.schedule_feed, name="schedule_ics"),
        Route("/media/{path:path}", pages.media_file, name="media"),
        Route("/thumbs/{path:path}", pages.thumbnail, name="thumb"),
        Route("/signin", signin.signin_form, name="signin", methods=["GET"]),
        Route("/signin", signin.signin_submit, name="signin_submit", methods=["POST"]),
        Route("/signout", signin.signout_submit, name="signout", methods=["POST"]),
        *action_routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(access.allowed_hosts)),
        Middleware(
            SessionMiddleware,
            secret_key=access.session_secret,
            session_cookie=SESSION_COOKIE,
            max_age=access.session_max_age_s,
            same_site="strict",
        ),
        Middleware(ReadGuard, open_reading=access.open_reading),
        Middleware(SecurityHeaders),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            HTTPException: _error_page,
            CampaignError: _error_page,
            SQLAlchemyError: _error_page,
        },
    )
    media_directory = config.base_dir / config.media.directory
    app.state.dashboard = Dashboard(
        config=config,
        sessions=sessions,
        clock=clock,
        access=access,
        media=MediaDirectory(media_directory),
        templates=_templates(config),
    )
    return app
