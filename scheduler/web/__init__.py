"""The dashboard: the campaign's calendar, queue and history in a browser.

Server-rendered pages (Starlette and Jinja2) over the daemon's database, with
operator actions behind a sign-in. :func:`create_app` builds the application;
:func:`scheduler.web.server.serve` runs it for ``campaign web``.
"""

from scheduler.web.access import WebAccess, web_access
from scheduler.web.app import create_app

__all__ = ["WebAccess", "create_app", "web_access"]
