"""A stand-in for the Facebook Graph API, as far as Page publishing needs it: the routes.

Endpoints (every path starts with a version, ``/v2.8/`` to ``/vNN.N/``)::

    GET  /{version}/me                       the Page a Page token speaks for
    GET  /{version}/{page-id}                a Page (or a post) by id
    GET  /{version}/debug_token              token introspection with the app token
    POST /{version}/{page-id}/feed           text, link and multi-photo posts
    POST /{version}/{page-id}/photos         photo posts; unpublished photos with published=false
    GET  /{version}/{page-id}/published_posts, /feed, /posts   what the Page posted, newest first
    DELETE /{version}/{post-id}              take one of the Page's own posts down
    POST /{version}/{app-id}/uploads, /upload:<n>; GET /upload:<n>; POST /{page-id}/videos
                                             a Page video (:mod:`~.videos`)

What each request passes through before its handler is in
:mod:`~scheduler.platforms.facebook.sandbox.base`. The write handlers live in
:mod:`~scheduler.platforms.facebook.sandbox.publish`, the read handlers in
:mod:`~scheduler.platforms.facebook.sandbox.reads`.
"""

from __future__ import annotations

from scheduler.platforms.facebook.sandbox import publish, reads, videos
from scheduler.platforms.facebook.sandbox.base import GraphStandIn
from scheduler.platforms.sandbox_server import Route, route

VERSION = r"/(?P<version>v\d{1,2}\.\d{1,2})"
PAGE = r"/(?P<page>[^/]+)"
SESSION = r"/(?P<session>upload:[0-9]+)"


class GraphSandbox(GraphStandIn):
    """The Graph API stand-in (see :class:`~scheduler.platforms.facebook.sandbox.base.GraphStandIn`)."""

    # -- routing -------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """Every Graph endpoint, versioned paths only (so it can share a server with X)."""
        feed_edges = r"/(?P<edge>published_posts|feed|posts)"
        unknown = self._endpoint("facebook.other", reads.unknown_path)
        return [
            route("GET", VERSION + "/me", self._endpoint("facebook.me", reads.me)),
            route(
                "GET",
                VERSION + "/debug_token",
                self._endpoint("facebook.debug_token", reads.debug_token, app_token=True),
            ),
            route(
                "POST",
                VERSION + PAGE + "/feed",
                self._endpoint("facebook.feed", publish.feed),
            ),
            route(
                "POST",
                VERSION + PAGE + "/photos",
                self._endpoint("facebook.photos", publish.photos),
            ),
            route(
                "POST",
                VERSION + PAGE + "/uploads",
                self._endpoint("facebook.video_upload", videos.open_session),
            ),
            route(
                "POST",
                VERSION + SESSION,
                self._endpoint("facebook.video_upload", videos.transfer),
            ),
            route(
                "GET",
                VERSION + SESSION,
                self._endpoint("facebook.video_upload", videos.session_status),
            ),
            route(
                "POST",
                VERSION + PAGE + "/videos",
                self._endpoint("facebook.videos", videos.publish),
            ),
            route(
                "GET",
                VERSION + PAGE + feed_edges,
                self._endpoint("facebook.read", reads.posts),
            ),
            route("GET", VERSION + PAGE, self._endpoint("facebook.me", reads.graph_object)),
            route("DELETE", VERSION + PAGE, self._endpoint("facebook.delete", publish.delete)),
            *(route(method, VERSION + "/.*", unknown) for method in ("GET", "POST", "DELETE")),
        ]
