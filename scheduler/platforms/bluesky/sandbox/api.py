"""A stand-in for a Bluesky PDS, as far as publishing needs it: the XRPC routes.

Endpoints (every path under ``/xrpc/``, which no other platform uses)::

    POST /xrpc/com.atproto.server.createSession    open a session (app password)
    POST /xrpc/com.atproto.server.refreshSession   renew it (refresh token as bearer)
    POST /xrpc/com.atproto.repo.uploadBlob         raw bytes -> a blob reference
    POST /xrpc/com.atproto.repo.createRecord       a post, under the client's record key
    GET  /xrpc/com.atproto.repo.getRecord          a record by key
    POST /xrpc/com.atproto.repo.deleteRecord       delete (or ensure absent)
    GET  /xrpc/com.atproto.repo.describeRepo       the handle of a repository
    GET  /xrpc/com.atproto.identity.resolveHandle  a handle's DID
    GET  /xrpc/app.bsky.feed.getAuthorFeed         the account's posts, newest first

and the video service with its service auth
(:mod:`~scheduler.platforms.bluesky.sandbox.video_api`).

Requests and records are checked against the shipped lexicons
(:mod:`~scheduler.platforms.bluesky.sandbox.lexicon`). What each request
passes through before its handler is in
:mod:`~scheduler.platforms.bluesky.sandbox.base`; the handlers are in
:mod:`~scheduler.platforms.bluesky.sandbox.endpoints`.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from scheduler.clock import Clock
from scheduler.platforms.bluesky.sandbox import endpoints, video_api
from scheduler.platforms.bluesky.sandbox.base import BlueskyStandIn, Handler, xrpc_error
from scheduler.platforms.bluesky.sandbox.video_api import VideoService
from scheduler.platforms.faults import FaultSource
from scheduler.platforms.sandbox_server import Request, Response, Route, route


class BlueskySandbox(BlueskyStandIn):
    """The Bluesky PDS stand-in (see :class:`~scheduler.platforms.bluesky.sandbox.base.BlueskyStandIn`)
    and video service; ``video_polls``: polls a video answers "encoding" before it is done."""

    def __init__(
        self,
        accounts: Any,
        clock: Clock,
        faults: FaultSource,
        *,
        video_polls: int = 2,
        **options: Any,
    ) -> None:
        super().__init__(accounts, clock, faults, **options)
        self.video = VideoService(video_polls)

    def processing_failed(self, request: Request) -> None:
        if request.path.endswith("app.bsky.video.getJobStatus"):
            video_api.fail_job(self, request)

    # -- routes ----------------------------------------------------------------------

    def routes(self) -> list[Route]:
        table: list[tuple[str, str, str, Handler, bool]] = [
            ("POST", "com.atproto.server.createSession", "bluesky.session", partial(endpoints.create_session, self), False),
            ("POST", "com.atproto.server.refreshSession", "bluesky.session", partial(endpoints.refresh_session, self), False),
            ("POST", "com.atproto.repo.uploadBlob", "bluesky.upload_blob", partial(endpoints.upload_blob, self), True),
            ("POST", "com.atproto.repo.createRecord", "bluesky.create", partial(endpoints.create_record, self), True),
            ("GET", "com.atproto.repo.getRecord", "bluesky.get_record", partial(endpoints.get_record, self), False),
            ("POST", "com.atproto.repo.deleteRecord", "bluesky.delete", partial(endpoints.delete_record, self), True),
            ("GET", "com.atproto.repo.describeRepo", "bluesky.resolve", partial(endpoints.describe_repo, self), False),
            ("GET", "com.atproto.identity.resolveHandle", "bluesky.resolve", partial(endpoints.resolve_handle, self), False),
            ("GET", "app.bsky.feed.getAuthorFeed", "bluesky.feed", partial(endpoints.author_feed, self), True),
            ("GET", "com.atproto.server.getServiceAuth", "bluesky.session", partial(video_api.get_service_auth, self), True),
            ("POST", "app.bsky.video.uploadVideo", "bluesky.upload_video", partial(video_api.upload_video, self), False),
            ("GET", "app.bsky.video.getJobStatus", "bluesky.video_job", partial(video_api.get_job_status, self), False),
            ("GET", "app.bsky.video.getUploadLimits", "bluesky.video_job", partial(video_api.get_upload_limits, self), True),
        ]  # fmt: skip
        routes = [
            route(method, "/xrpc/" + re.escape(nsid), self._wrap(endpoint, handler, auth))
            for method, nsid, endpoint, handler, auth in table
        ]
        routes += [route(m, r"/xrpc/(?P<nsid>[^/]+)", _not_implemented) for m in ("GET", "POST")]
        return routes


def _not_implemented(request: Request, match: re.Match[str]) -> Response:
    """What a PDS answers for a method it does not serve."""
    return xrpc_error(501, "MethodNotImplemented", f"Method Not Implemented: {match['nsid']}")
