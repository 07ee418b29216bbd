"""Running the dashboard: ``campaign web`` builds the app from the campaign file
and serves it with uvicorn."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette

from scheduler.clock import Clock, ScaledClock, SystemClock
from scheduler.config import CampaignConfig, RuntimeSettings, resolve_database_url
from scheduler.storage.database import describe_url, open_database
from scheduler.web.access import WebAccess, operator_token, web_access
from scheduler.web.app import create_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """A built dashboard: the app, its engine (dispose when done) and what to tell people."""

    app: Starlette
    engine: Engine
    access: WebAccess
    database: str


def build(
    config: CampaignConfig,
    settings: RuntimeSettings,
    host: str,
    *,
    port: int = 8000,
    at: datetime | None = None,
    database_url: str | None = None,
) -> Served:
    """The dashboard for ``host`` and ``port``: database checked, token read, access
    decided, sign-ins of an earlier operator token ended.

    ``at`` (aware) starts the dashboard's clock at that campaign instant, ticking
    in real time, to review a rehearsal as of a moment; None is the real time.
    ``database_url`` overrides the configured database (as ``--database-url``).

    :raises ConfigError: for a weak token, or a non-loopback host without a token
        or an https ``web.public_url``.
    :raises SchemaError: when the database needs ``campaign db upgrade``.
    """
    access = web_access(host, operator_token(config), config, port=port)
    url = database_url or resolve_database_url(config, settings)
    engine, sessions = open_database(url)
    try:
        clock: Clock = SystemClock() if at is None else ScaledClock(at, speed=1.0)
        app = create_app(config, sessions, clock, access)
    except BaseException:
        engine.dispose()  # nobody else holds the engine yet
        raise
    return Served(app, engine, access, describe_url(engine))


def serve(served: Served, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C), then release the database."""
    try:
        uvicorn.run(served.app, host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        served.engine.dispose()
