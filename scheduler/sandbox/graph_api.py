"""A stand-in for the Facebook Graph API, as far as Page publishing needs it.

Endpoints (every path starts with a version, ``/v2.8/`` to ``/vNN.N/``)::

    GET  /{version}/me                       the Page a Page token speaks for
    GET  /{version}/{page-id}                a Page (or a post) by id
    GET  /{version}/debug_token              token introspection with the app token
    POST /{version}/{page-id}/feed           text, link and multi-photo posts
    POST /{version}/{page-id}/photos         photo posts; unpublished photos with published=false
    GET  /{version}/{page-id}/published_posts, /feed, /posts   what the Page posted, newest first

Each request passes, in order: fault injection (:mod:`scheduler.sandbox.faults`,
endpoint names ``facebook.me`` for /me and /{id}, ``facebook.debug_token``,
``facebook.feed``, ``facebook.photos``, ``facebook.read``), the token check,
the rate-limit windows (:mod:`~scheduler.sandbox.graph_usage`), then the work.

Versions, the headers every answer carries and keeping tokens out of the
server's log are in :mod:`~scheduler.sandbox.graph_wire`. Every answer is
``application/json; charset=UTF-8`` [platforms.md 2, 4.3].

The write handlers live in :mod:`~scheduler.sandbox.graph_publish`, the read
handlers in :mod:`~scheduler.sandbox.graph_reads`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.sandbox import graph_publish, graph_reads
from scheduler.sandbox.faults import FaultPlan
from scheduler.sandbox.graph_errors import (
    GRAPH_CONTENT_TYPE,
    expired_token,
    fault_error,
    graph_error,
    invalid_token,
    invalidated_token,
)
from scheduler.sandbox.graph_media import read_parameters
from scheduler.sandbox.graph_state import GraphState, PageState, StoredPost
from scheduler.sandbox.graph_usage import UsageMeter
from scheduler.sandbox.graph_wire import common_headers, redact_server_log, served_version
from scheduler.sandbox.server import Request, Response, Route, route

logger = logging.getLogger(__name__)

VERSION = r"/(?P<version>v\d{1,2}\.\d{1,2})"
PAGE = r"/(?P<page>[^/]+)"


@dataclass
class GraphCall:
    """One request, read and authenticated; ``page`` is the Page its token speaks for
    (None for the app token)."""

    request: Request
    match: re.Match[str]
    fields: dict[str, str]
    files: dict[str, bytes]
    page: PageState | None = None

    def param(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


@dataclass(frozen=True)
class ReceivedRequest:
    """What the stand-in saw: method, path (never the query: it holds tokens), the
    version asked for and the version that answered, and the HTTP status."""

    method: str
    path: str
    version: str
    served_version: str
    endpoint: str
    status: int


GraphHandler = Callable[["GraphSandbox", GraphCall], Response]


class GraphSandbox:
    """The Graph API stand-in for the Facebook accounts of ``config``.

    Pages and their valid Page tokens come from the config's Facebook accounts
    and :func:`~scheduler.sandbox.credentials.sandbox_credentials`. Rate windows
    and token expiry run on ``clock``. ``page_calls_per_day`` and
    ``app_calls_per_hour`` set the rate quotas (see graph_usage).
    State for assertions: :meth:`posts`, :meth:`count`, :meth:`page`, ``received``.
    """

    def __init__(
        self,
        config: CampaignConfig,
        clock: Clock,
        faults: FaultPlan,
        *,
        page_calls_per_day: int = 4800,
        app_calls_per_hour: int = 2000,
    ) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults
        self.state = GraphState(config)
        self.usage = UsageMeter(clock, page_calls_per_day, app_calls_per_hour)
        self.received: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        redact_server_log()

    # -- state for assertions ------------------------------------------------------

    def page(self, key: str) -> PageState:
        """The Page with this id or account label; KeyError when unknown."""
        page = self.state.page(key)
        if page is None:
            raise KeyError(f"no sandbox Page {key!r}")
        return page

    def posts(self, key: str) -> list[StoredPost]:
        """Posts of the Page with this id or label, oldest first."""
        with self.state.lock:
            return list(self.page(key).posts)

    def count(self, account_label: str | None = None) -> int:
        """Posts stored for ``account_label`` (every Page when None)."""
        with self.state.lock:
            if account_label is not None:
                return len(self.page(account_label).posts)
            return sum(len(page.posts) for page in self.state.pages.values())

    # -- routing -------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """Every Graph endpoint, versioned paths only (so it can share a server with X)."""
        feed_edges = r"/(?P<edge>published_posts|feed|posts)"
        unknown = self._endpoint("facebook.other", graph_reads.unknown_path)
        return [
            route("GET", VERSION + "/me", self._endpoint("facebook.me", graph_reads.me)),
            route(
                "GET",
                VERSION + "/debug_token",
                self._endpoint("facebook.debug_token", graph_reads.debug_token, app_token=True),
            ),
            route(
                "POST",
                VERSION + PAGE + "/feed",
                self._endpoint("facebook.feed", graph_publish.feed),
            ),
            route(
                "POST",
                VERSION + PAGE + "/photos",
                self._endpoint("facebook.photos", graph_publish.photos),
            ),
            route(
                "GET",
                VERSION + PAGE + feed_edges,
                self._endpoint("facebook.read", graph_reads.posts),
            ),
            route("GET", VERSION + PAGE, self._endpoint("facebook.me", graph_reads.graph_object)),
            *(route(method, VERSION + "/.*", unknown) for method in ("GET", "POST", "DELETE")),
        ]

    def _endpoint(
        self, endpoint: str, handler: GraphHandler, *, app_token: bool = False
    ) -> Callable[[Request, re.Match[str]], Response]:
        def handle(request: Request, match: re.Match[str]) -> Response:
            version = match["version"]
            served = served_version(version)
            try:
                parameters = read_parameters(request)
            except (ValueError, UnicodeDecodeError) as error:
                response = graph_error(100, f"(#100) Could not read the request body: {error}")
            else:
                call = GraphCall(request, match, parameters.fields, parameters.files)
                response = self._answer(endpoint, call, handler, app_token)
            response.content_type = GRAPH_CONTENT_TYPE
            response.headers.update(common_headers(served))
            with self._lock:
                self.received.append(
                    ReceivedRequest(
                        request.method, request.path, version, served, endpoint, response.status
                    )
                )
            return response

        return handle

    def _answer(
        self, endpoint: str, call: GraphCall, handler: GraphHandler, app_token: bool
    ) -> Response:
        token = call.param("access_token")
        token_page = self.state.page_for_token(token) if token else None
        named = call.match.groupdict().get("page")
        path_page = self.state.pages.get(named) if named else None
        # debug_token is called with the app token: the account is the one inspected.
        subject = path_page or token_page or self.state.page_for_token(call.param("input_token"))
        fault = self.faults.take(endpoint, subject.label if subject else None)
        if fault is not None:
            early = fault_error(fault, subject.page_id if subject else None)
            if early is not None:
                return early
        refusal = self._authenticate(token, app_token)
        if refusal is not None:
            return refusal
        call.page = token_page
        page_id = token_page.page_id if token_page else None
        throttled = self.usage.admit(page_id)
        if throttled is not None:
            return throttled
        response = handler(self, call)
        if fault is not None and fault.kind == "slow":
            response.delay_s = fault.delay_s
        elif fault is not None and fault.kind == "drop_after":
            response = Response(drop=True, delay_s=fault.delay_s)
        elif fault is not None and fault.kind == "error_after":
            response = graph_error(fault.code or 2, status=fault.status)
        elif fault is not None and fault.kind in ("credits",):
            logger.warning("fault kind %s does not apply to Facebook; ignored", fault.kind)
        response.headers.update(self.usage.headers(page_id))
        return response

    def _authenticate(self, token: str, app_token: bool) -> Response | None:
        if not token:
            return graph_error(104)
        if app_token:
            if self.state.is_app_token(token):
                return None
            if "|" in token:
                return graph_error(190, "Invalid OAuth access token signature.")
            return invalid_token()
        page = self.state.page_for_token(token)
        if page is None:
            return invalid_token()
        if page.token_invalidated:
            return invalidated_token()
        now = self.clock.now()
        if page.token_expires_at is not None and now >= page.token_expires_at:
            return expired_token(
                page.token_expires_at.strftime("%A, %d-%b-%y %H:%M:%S UTC"),
                now.strftime("%A, %d-%b-%y %H:%M:%S UTC"),
            )
        return None
