"""The dashboard's application factory: routes, templates and middleware.

Middleware, outermost first: security headers (:mod:`scheduler.web.guard`),
trusted Host header (loopback names for a loopback binding, only the public
address's host beyond it), the request guard (control characters, long
addresses, large bodies), the signed cookie and the sign-in behind it
(:mod:`scheduler.web.sessions`), and the read guard (every page but sign-in
needs a sign-in when reading is not open).
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
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from scheduler.clock import Clock, SystemClock
from scheduler.config import CampaignConfig
from scheduler.content.bill import usd
from scheduler.errors import CampaignError, DatabaseBusy, DatabaseUnreachable, StorageError
from scheduler.platforms import registry
from scheduler.platforms.links import platform_link
from scheduler.storage.dashboard_sessions import end_sessions_of_other_tokens
from scheduler.storage.refusals import refusal
from scheduler.web import pages, signin
from scheduler.web.access import WebAccess
from scheduler.web.actions import action_routes
from scheduler.web.dashboard import Dashboard, PublisherFor, dashboard, environment_publishers
from scheduler.web.formatting import (
    duration,
    local_datetime,
    local_day,
    local_time,
    platform_name,
    platforms_css,
    relative,
    span_words,
    state_label,
)
from scheduler.web.guard import ReadGuard, RequestGuard, SecurityHeaders
from scheduler.web.media import MediaDirectory
from scheduler.web.sessions import CookieSession, SignInState
from scheduler.web.throttle import SignInThrottle

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


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
        "usd": usd,
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
            # A URL a platform handed back is a link only on that platform's hosts.
            "platform_link": platform_link,
            "platform_keys": registry.platform_keys,
            "post_href": lambda post_id: "/posts/" + quote(post_id, safe=""),
            "thumb_href": lambda path: "/thumbs/" + quote(path),
            "media_href": lambda path: "/media/" + quote(path),
            "span_words": span_words,
        }
    )
    return Jinja2Templates(env=environment)


def _error_page(request: Request, exc: Exception) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, HTTPException) and exc.status_code == 404 and exc.detail == "Not Found":
        status, message = 404, "There is no page at this address."  # Starlette's router
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, str(exc.detail)
        headers = dict(exc.headers or {})
    elif isinstance(exc, SQLAlchemyError | DatabaseBusy | DatabaseUnreachable):
        # Lock contention or a lost connection: say which, and what to do (503, so
        # a reload later is the fix and no proxy caches the page).
        # Anything else the driver says stays in the log, never on the page.
        refused = refusal(exc, "show this page") if isinstance(exc, SQLAlchemyError) else exc
        logger.error("dashboard: the database failed: %s", refused)
        known = isinstance(refused, DatabaseBusy | DatabaseUnreachable)
        message = str(refused) if known else "The database did not answer; try again in a moment."
        status, headers = 503, {"Retry-After": "5"}
    else:
        status, message = 409, str(exc)
    context = {"status": status, "message": message, "links": [], "page": "error"}
    response = dashboard(request).render(request, "error.html", context, status)
    response.headers.update(headers)
    return response


def _end_sessions_of_other_tokens(
    sessions: sessionmaker[Session], access: WebAccess, wall_clock: Clock
) -> None:
    """A new operator token signs everybody out: end the sessions opened with another."""
    try:
        ended = end_sessions_of_other_tokens(sessions, access.token_fingerprint, wall_clock.now())
    except (StorageError, SQLAlchemyError) as error:
        logger.error("dashboard: could not end the sign-ins of an earlier token: %s", error)
        return
    if ended:
        logger.info("dashboard: %d sign-in(s) of another operator token ended", ended)


def _platforms_stylesheet(request: Request) -> Response:
    return Response(platforms_css(), media_type="text/css")


def create_app(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    clock: Clock,
    access: WebAccess,
    *,
    wall_clock: Clock | None = None,
    publisher_for: PublisherFor | None = None,
) -> Starlette:
    """The dashboard as an ASGI application.

    ``sessions`` come from :func:`scheduler.storage.database.open_database` (the
    daemon's database); ``clock`` gives campaign "now" for the countdown, today
    and actions; ``access`` says who may read and act (see
    :mod:`scheduler.web.access`); ``wall_clock`` is the real time for sign-ins
    and the sign-in throttle (default the system clock; tests pass a frozen one).
    ``publisher_for(label)`` gives an account's publisher for the withdraw action
    (default: built from config.yaml and the environment, as ``campaign withdraw``).
    Sign-ins opened with another operator token are ended here.
    """
    wall = wall_clock or SystemClock()
    routes = [
        Route("/", pages.calendar_page, name="calendar"),
        Route("/posts/{post_id}", pages.post_page, name="post"),
        Route("/history", pages.history_page, name="history"),
        Route("/history.csv", pages.history_csv_export, name="history_csv"),
        Route("/attention", pages.attention_page, name="attention"),
        Route("/schedule.ics", pages.schedule_feed, name="schedule_ics"),
        Route("/sandbox/{platform}/{platform_post_id:path}", pages.receipt_page, name="receipt"),
        Route("/media/{path:path}", pages.media_file, name="media"),
        Route("/thumbs/{path:path}", pages.thumbnail, name="thumb"),
        Route("/signin", signin.signin_form, name="signin", methods=["GET"]),
        Route("/signin", signin.signin_submit, name="signin_submit", methods=["POST"]),
        Route("/signout", signin.signout_submit, name="signout", methods=["POST"]),
        *action_routes(),
        # Before the static files: the badges' colours come from the platform profiles.
        Route("/static/platforms.css", _platforms_stylesheet, name="platforms_css"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(access.allowed_hosts)),
        Middleware(RequestGuard),
        Middleware(CookieSession, access=access),
        Middleware(SignInState),
        Middleware(ReadGuard, access=access),
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
        wall_clock=wall,
        throttle=SignInThrottle(lambda: wall.now().timestamp()),
        publisher_for=publisher_for or environment_publishers(config, sessions),
    )
    _end_sessions_of_other_tokens(sessions, access, wall)
    return app
