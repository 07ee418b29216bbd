"""A stand-in for the X API v2, as far as the X publisher needs it: the routes.

Endpoints::

    POST   /2/tweets                 create a post (OAuth 1.0a user context)
    DELETE /2/tweets/{id}            delete one's own post
    GET    /2/tweets/{id}            look a post up
    GET    /2/users/me               who the credentials speak for
    GET    /2/users/{id}/tweets      a user's timeline, newest first (OAuth 1.0a or Bearer)
    POST   /2/media/upload ...       media upload, see :mod:`~scheduler.platforms.x.sandbox.media_api`
    GET    /i/oauth2/authorize       OAuth 2.0 with PKCE: approve, redirect back with a code
    POST   /2/oauth2/token           a code or a refresh token for a new token pair
                                     (see :mod:`~scheduler.platforms.x.sandbox.oauth2`)
    POST   /2/media/metadata         alt text, see :mod:`~scheduler.platforms.x.sandbox.metadata_api`

What each request passes through before its handler is in
:mod:`~scheduler.platforms.x.sandbox.base`.
"""

from __future__ import annotations

from datetime import datetime

from scheduler.platforms.sandbox_server import Route, route
from scheduler.platforms.x.sandbox import posts
from scheduler.platforms.x.sandbox.base import XStandIn
from scheduler.platforms.x.sandbox.media_api import media_routes
from scheduler.platforms.x.sandbox.metadata_api import metadata_routes


class XSandbox(XStandIn):
    """The X API stand-in (see :class:`~scheduler.platforms.x.sandbox.base.XStandIn`)."""

    def authorize(self, label: str) -> tuple[str, str, datetime] | None:
        """The pair X gives account ``label``'s app after "Authorize app", with
        every scope: the stand-in approves as its authorize page does."""
        return self.oauth2.approve(self.state.accounts[label])

    # -- routing -------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """Every X endpoint; paths start with ``/2/`` so they share a server with Graph."""
        limits = self.limits
        return [
            route(
                "POST",
                "/2/tweets",
                self.endpoint("x.create_post", "tweets", limits.create_15m, posts.create),
            ),
            route(
                "DELETE",
                r"/2/tweets/(?P<id>[^/]+)",
                self.endpoint("x.delete", "delete", limits.delete_15m, posts.delete),
            ),
            route(
                "GET",
                r"/2/tweets/(?P<id>[^/]+)",
                self.endpoint("x.lookup", "lookup", limits.lookup_15m, posts.lookup, bearer=True),
            ),
            route("GET", "/2/users/me", self.endpoint("x.me", "me", limits.me_15m, posts.me)),
            route(
                "GET",
                r"/2/users/(?P<id>[^/]+)/tweets",
                self.endpoint(
                    "x.timeline", "timeline", limits.timeline_15m, posts.timeline, bearer=True
                ),
            ),
            *media_routes(self),
            route("GET", "/i/oauth2/authorize", self.oauth2.authorize),
            route("POST", "/2/oauth2/token", self.oauth2.token),
            *metadata_routes(self),
        ]
