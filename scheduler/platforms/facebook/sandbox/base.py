"""The Graph stand-in's core: a request read, its fault, the token check, the
rate windows, and the headers every answer carries.

Every endpoint module (:mod:`~scheduler.platforms.facebook.sandbox.publish`,
:mod:`~scheduler.platforms.facebook.sandbox.reads`) takes a :class:`GraphStandIn`
and a :class:`GraphCall`; :mod:`~scheduler.platforms.facebook.sandbox.api`
joins them into routes. Nothing here imports an endpoint module.

Each request passes, in order: fault injection (endpoint names in
:mod:`~scheduler.platforms.facebook.sandbox.faults`), the token check, the
rate-limit windows (:mod:`~scheduler.platforms.facebook.sandbox.usage`), then
the work. Versions, the headers every answer carries and keeping tokens out of
the server's log are in :mod:`~scheduler.platforms.facebook.sandbox.wire`.
Every answer is ``application/json; charset=UTF-8`` [platforms.md 2, 4.3].
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.clock import Clock
from scheduler.platforms.facebook.sandbox.errors import (
    GRAPH_CONTENT_TYPE,
    expired_token,
    fault_error,
    graph_error,
    invalid_token,
    invalidated_token,
)
from scheduler.platforms.facebook.sandbox.media import read_parameters
from scheduler.platforms.facebook.sandbox.state import GraphState, PageState, StoredPost
from scheduler.platforms.facebook.sandbox.usage import UsageMeter
from scheduler.platforms.facebook.sandbox.wire import (
    common_headers,
    redact_server_log,
    served_version,
)
from scheduler.platforms.faults import Fault, FaultSource
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.sandbox_base import PlatformSandbox, SentImage, SentPost
from scheduler.platforms.sandbox_server import Request, Response

logger = logging.getLogger(__name__)


@dataclass
class GraphCall:
    """One request, read and authenticated; ``page`` is the Page its token speaks for
    (None for the app token)."""

    request: Request
    match: re.Match[str]
    fields: dict[str, str]
    files: dict[str, bytes]
    page: PageState | None = None
    fault: Fault | None = None

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


GraphHandler = Callable[["GraphStandIn", GraphCall], Response]


class GraphStandIn(PlatformSandbox):
    """The Graph API stand-in for the Facebook accounts among ``accounts``; the
    routes are :class:`~scheduler.platforms.facebook.sandbox.api.GraphSandbox`'s.

    Pages and their valid Page tokens come from those accounts and
    :func:`~scheduler.platforms.facebook.sandbox.credentials.sandbox_credentials`. Rate windows
    and token expiry run on ``clock``. ``page_calls_per_day`` and
    ``app_calls_per_hour`` set the rate quotas (see :mod:`~scheduler.platforms.facebook.sandbox.usage`).
    State for assertions: :meth:`posts`, :meth:`count`, :meth:`page`, ``received``.
    """

    def __init__(
        self,
        accounts: Iterable[AccountEntry],
        clock: Clock,
        faults: FaultSource,
        *,
        page_calls_per_day: int = 4800,
        app_calls_per_hour: int = 2000,
        video_processing_polls: int = 1,
    ) -> None:
        self.clock = clock
        self.video_processing_polls = video_processing_polls
        self.faults = faults
        self.state = GraphState(accounts)
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

    def sent(self, label: str) -> list[SentPost]:
        """Posts of the Page of account ``label`` with the text as sent, oldest first."""
        with self.state.lock:
            page = self.state.page(label)
            if page is None:
                return []
            return [
                SentPost(
                    post.post_id,
                    post.message,
                    received_at=post.created_time,
                    images=tuple(
                        SentImage(
                            "image",
                            photo.image.format,
                            photo.image.width,
                            photo.image.height,
                            photo.image.size_bytes,
                            photo.alt_text_custom,
                        )
                        for photo in (
                            page.photos[key] for key in post.photo_ids if key in page.photos
                        )
                    )
                    + self._video_of(post.post_id),
                    link=post.link,
                )
                for post in page.posts
            ]

    def _video_of(self, post_id: str) -> tuple[SentImage, ...]:
        """The video behind a video post, as a rehearsal's receipts list it."""
        return tuple(
            SentImage("video", "MP4", size_bytes=video.size_bytes)
            for video in self.state.videos.values()
            if video.post_id == post_id
        )

    # -- wrapping endpoints ----------------------------------------------------------

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
        token = call.param("access_token") or _oauth_header(call.request)
        token_page = self.state.page_for_token(token) if token else None
        named = call.match.groupdict().get("page")
        path_page = self.state.pages.get(named) if named else None
        # debug_token is called with the app token: the account is the one inspected.
        subject = path_page or token_page or self.state.page_for_token(call.param("input_token"))
        fault = self.faults.take(endpoint, subject.label if subject else None)
        if fault is not None:
            early = fault_error(fault, subject.page_id if subject else None, endpoint)
            if early is not None:
                return early
        refusal = self._authenticate(token, app_token)
        if refusal is not None:
            return refusal
        call.page, call.fault = token_page, fault
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


def _oauth_header(request: Request) -> str:
    """The token of an ``Authorization: OAuth <token>`` header (the video transfer's)."""
    value = request.header("Authorization")
    return value[6:].strip() if value.startswith("OAuth ") else ""
