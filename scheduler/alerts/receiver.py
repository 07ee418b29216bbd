"""A local webhook receiver: where a rehearsal's alerts go instead of the team's.

A real HTTP server on 127.0.0.1 (a thread) that takes Apprise's ``json://``
posts and keeps each one: the event id from the ``X-Campaign-Event-Id`` header,
the JSON body (title, message, and the event fields). The rehearsal lists what
it got in its report; tests use it as a real webhook, and can make it refuse
the next requests (:meth:`AlertReceiver.refuse_next`) to see retries.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from scheduler.alerts.targets import EVENT_ID_HEADER


@dataclass(frozen=True)
class ReceivedAlert:
    """One message as the receiver got it: the header's event id, the body."""

    event_id: str
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body.get("event", ""))

    @property
    def title(self) -> str:
        return str(self.body.get("title", ""))

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))


class AlertReceiver:
    """A JSON webhook on 127.0.0.1; ``url`` is its Apprise URL. Start, then stop."""

    def __init__(self, path: str = "/alerts") -> None:
        self.path = path
        self.received: list[ReceivedAlert] = []
        self.refused = 0
        self._refuse: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status = receiver._take(self.headers.get(EVENT_ID_HEADER, ""), raw)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the rehearsal's terminal is for its report

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The Apprise URL of this receiver (``json://127.0.0.1:PORT/alerts``)."""
        return f"json://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def start(self) -> AlertReceiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="alert-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def refuse_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` posts with ``status`` (a target that is down)."""
        with self._lock:
            self._refuse += [status] * count

    def _take(self, event_id: str, raw: bytes) -> int:
        with self._lock:
            if self._refuse:
                self.refused += 1
                return self._refuse.pop(0)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return 400
            self.received.append(ReceivedAlert(event_id, body if isinstance(body, dict) else {}))
            return 200

    def alerts(self) -> list[ReceivedAlert]:
        """What was received so far, in order of arrival."""
        with self._lock:
            return list(self.received)
