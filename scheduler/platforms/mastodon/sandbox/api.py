"""A stand-in for a Mastodon server, as far as publishing needs it: the routes.

Endpoints (every path starts with ``/api/v1/`` or ``/api/v2/``, which no other
platform's stand-in uses)::

    GET    /api/v1/accounts/verify_credentials   who the token speaks for
    GET    /api/v1/instance, /api/v2/instance    the server and its limits
    POST   /api/v1/statuses                      create (Idempotency-Key honoured)
    DELETE /api/v1/statuses/:id                  delete one of the account's statuses
    GET    /api/v1/accounts/:id/statuses         the account's statuses, newest first
    POST   /api/v2/media                         upload (200, or 202 while processing)
    GET    /api/v1/media/:id                     poll (206 while processing)

What each request passes through first is in
:mod:`~scheduler.platforms.mastodon.sandbox.base`.
"""

from __future__ import annotations

from scheduler.platforms.mastodon.sandbox import media, reads, statuses
from scheduler.platforms.mastodon.sandbox.base import MastodonStandIn
from scheduler.platforms.mastodon.sandbox.wire import error
from scheduler.platforms.sandbox_server import Request, Response, Route, route

ID = r"(?P<id>[A-Za-z0-9]+)"


def _unknown(request: Request, match: object) -> Response:
    return error(404, "Record not found")


class MastodonSandbox(MastodonStandIn):
    """The Mastodon stand-in (see :class:`~scheduler.platforms.mastodon.sandbox.base.MastodonStandIn`)."""

    def routes(self) -> list[Route]:
        """Every endpoint, under ``/api/v1/`` and ``/api/v2/`` only."""
        me = self.endpoint("mastodon.me", reads.verify_credentials)
        return [
            route("GET", r"/api/v1/accounts/verify_credentials/?", me),
            route("GET", r"/api/v2/instance/?", self.endpoint("mastodon.me", reads.instance_v2)),
            route("GET", r"/api/v1/instance/?", self.endpoint("mastodon.me", reads.instance_v1)),
            route(
                "POST", r"/api/v1/statuses/?", self.endpoint("mastodon.statuses", statuses.create)
            ),
            route(
                "DELETE",
                rf"/api/v1/statuses/{ID}",
                self.endpoint("mastodon.delete", statuses.delete, bucket="deletes"),
            ),
            route(
                "GET",
                rf"/api/v1/accounts/{ID}/statuses",
                self.endpoint("mastodon.read", statuses.account_statuses),
            ),
            route(
                "POST",
                r"/api/v2/media/?",
                self.endpoint("mastodon.media", media.upload, bucket="media"),
            ),
            route(
                "GET", rf"/api/v1/media/{ID}", self.endpoint("mastodon.media_status", media.poll)
            ),
            *(route(m, r"/api/v[12]/.*", _unknown) for m in ("GET", "POST", "PUT", "DELETE")),
        ]
