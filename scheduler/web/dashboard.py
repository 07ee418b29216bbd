"""What every request handler shares: the campaign, the database, the clock,
the access rules, and rendering with the common page context."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from scheduler.clock import Clock, SystemClock
from scheduler.config import CampaignConfig
from scheduler.platforms.base import Publisher
from scheduler.storage.database import reading
from scheduler.storage.facts import Rehearsal, read_facts
from scheduler.web.access import WebAccess, csrf_token, is_operator
from scheduler.web.attention import attention_count
from scheduler.web.formatting import countdown
from scheduler.web.media import MediaDirectory
from scheduler.web.throttle import SignInThrottle

# An account's publisher, by label (the withdraw action deletes through it).
PublisherFor = Callable[[str], Publisher]


def environment_publishers(
    config: CampaignConfig, sessions: sessionmaker[Session] | None = None
) -> PublisherFor:
    """Publishers built as ``campaign withdraw`` builds them: from config.yaml and
    the environment (or ``.env``), on the system clock, with the token store of
    ``sessions``' database for accounts that keep tokens there; each built when first used."""

    def build(label: str) -> Publisher:
        from scheduler.daemon.accounts import build_publisher
        from scheduler.platforms.secrets import load_environment
        from scheduler.tokens.store import describe_writer

        environ = load_environment(config.base_dir)
        return build_publisher(
            config,
            config.account(label),
            environ,
            SystemClock(),
            sessions=sessions,
            writer=describe_writer("campaign web"),
        )

    return build


@dataclass(frozen=True)
class Dashboard:
    """The running dashboard's parts; kept on ``app.state.dashboard``.

    ``clock`` is campaign time (a rehearsal's, with ``campaign web --at``);
    ``wall_clock`` the real time, for sign-ins and their expiry; ``throttle``
    slows down wrong operator tokens per client; ``publisher_for`` gives an
    account's publisher (the withdraw action).
    """

    config: CampaignConfig
    sessions: sessionmaker[Session]
    clock: Clock
    access: WebAccess
    media: MediaDirectory
    templates: Jinja2Templates
    wall_clock: Clock = field(default_factory=SystemClock)
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    publisher_for: PublisherFor | None = None

    def now(self) -> datetime:
        """Campaign time now (aware UTC)."""
        return self.clock.now()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only session: no write lock, so the daemon is never blocked."""
        with reading(self.sessions) as session:
            yield session

    def render(
        self, request: Request, template: str, context: dict[str, Any], status_code: int = 200
    ) -> Response:
        """Render ``template`` with the page context every page shows (countdown,
        attention count, sign-in state, CSRF token, flash messages, and
        ``rehearsal`` for a rehearsal's database, which every page says)."""
        now = self.now()
        rehearsal: Rehearsal | None = None
        try:
            with self.read() as session:
                badge: int | None = attention_count(session, now)
                rehearsal = read_facts(session).rehearsal
        except SQLAlchemyError:
            badge = None  # the error page must render even when the database is away
        page: dict[str, Any] = {
            "config": self.config,
            "campaign": self.config.campaign,
            "now": now,
            "countdown": countdown(now, self.config.campaign),
            "attention_badge": badge,
            "operator": is_operator(request),
            "actions_enabled": self.access.actions_enabled,
            "csrf_token": csrf_token(request),
            "flashes": request.session.pop("flash", []),
            "media_exists": self.media.exists,
            "rehearsal": rehearsal,
        }
        page.update(context)
        return self.templates.TemplateResponse(request, template, page, status_code=status_code)


def dashboard(request: Request) -> Dashboard:
    """The Dashboard of the app serving ``request``."""
    found: Dashboard = request.app.state.dashboard
    return found


def flash(request: Request, kind: str, message: str) -> None:
    """Queue a message (``kind`` is ``ok`` or ``error``) for the next page shown."""
    messages = list(request.session.get("flash", []))
    messages.append({"kind": kind, "message": message})
    request.session["flash"] = messages
