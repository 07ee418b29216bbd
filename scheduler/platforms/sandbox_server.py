"""The HTTP core every platform's sandbox is served by: a threaded server on
127.0.0.1 with a tiny router.

It sits here, beside the platforms, because each platform's stand-in
(``platforms/<key>/sandbox/``) is written against it; the sandbox that mounts
them all for a campaign is :mod:`scheduler.sandbox.app`.

``TCP_NODELAY`` is set on every accepted socket: without it, Nagle's algorithm
and delayed ACKs add about 40 ms to each small request/response exchange,
which would make the sandbox, not the product, what any timing measures.

A route handler takes a :class:`Request` and the regex match of its path and
returns a :class:`Response`. A response may ask the server to drop the
connection instead of answering (fault injection: "it went out but we did not
hear back").
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)


@dataclass
class Request:
    """An HTTP request as the sandbox sees it; ``query`` values are lists."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    raw_target: str

    def header(self, name: str, default: str = "") -> str:
        value = self.headers.get(name)
        return value if value is not None else default

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    """What to answer. ``body`` is JSON-encoded unless it is bytes.

    ``drop`` closes the connection without answering; ``delay_s`` waits first
    (wall seconds).
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    drop: bool = False
    delay_s: float = 0.0

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    """A route matching the whole path against ``pattern`` (a regex)."""
    return Route(method.upper(), re.compile(f"^{pattern}$"), handler)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    wall_offset_s = 0.0

    def __init__(self, address: tuple[str, int], routes: list[Route]) -> None:
        self.routes = routes
        super().__init__(address, _RequestHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout fired during an injected slow answer)
        # closes the socket under us: expected in fault tests, not worth a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            logger.debug("sandbox client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox %s", format % args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header on the platform's clock (see HTTPSandbox.wall_offset_s).
        if timestamp is None:
            timestamp = time.time() + self.server.wall_offset_s
        return super().date_time_string(timestamp)

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            raw_target=self.path,
        )
        response = self._dispatch(request)
        if response.delay_s:
            threading.Event().wait(response.delay_s)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = response.encoded()
        self.send_response(response.status)
        if payload or response.status not in (204, 304):
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _dispatch(self, request: Request) -> Response:
        allowed = False
        for candidate in self.server.routes:
            match = candidate.pattern.match(request.path)
            if match is None:
                continue
            if candidate.method != request.method:
                allowed = True
                continue
            try:
                return candidate.handler(request, match)
            except Exception:
                logger.exception("sandbox handler for %s %s failed", request.method, request.path)
                return Response(
                    500,
                    {
                        "title": "Internal Server Error",
                        "type": "about:blank",
                        "status": 500,
                        "detail": "sandbox handler error",
                    },
                )
        if allowed:
            return Response(
                405,
                {
                    "title": "Method Not Allowed",
                    "type": "about:blank",
                    "status": 405,
                    "detail": f"{request.method} not allowed on {request.path}",
                },
            )
        return Response(
            404,
            {
                "title": "Not Found Error",
                "type": "about:blank",
                "status": 404,
                "detail": f"no sandbox endpoint for {request.method} {request.path}",
            },
        )

    do_GET = do_POST = do_DELETE = do_PUT = _handle


class HTTPSandbox:
    """Serves ``routes`` on 127.0.0.1 in a background thread.

    ``port=0`` picks a free port; ``url`` is valid after :meth:`start`.
    ``wall_offset_s``: seconds the ``Date`` header of each answer is shifted by
    (a platform whose clock differs from this host's).
    """

    def __init__(self, routes: Iterable[Route], port: int = 0, host: str = "127.0.0.1") -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox binds to the loopback interface only")
        self._host = host
        self._server = _Server((host, port), list(routes))
        self._thread: threading.Thread | None = None

    @property
    def wall_offset_s(self) -> float:
        return self._server.wall_offset_s

    @wall_offset_s.setter
    def wall_offset_s(self, seconds: float) -> None:
        self._server.wall_offset_s = seconds

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._server.server_address[1]}"

    def start(self) -> HTTPSandbox:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name="sandbox-http",
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> HTTPSandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
