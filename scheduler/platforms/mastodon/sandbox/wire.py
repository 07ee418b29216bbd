"""How the Mastodon stand-in reads requests and shapes answers: form, JSON and
multipart bodies, the ``{"error": ...}`` body of every refusal, and the rate
windows with their ``X-RateLimit-*`` headers [platforms-2026.md 6.4].
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

from scheduler.clock import Clock
from scheduler.platforms.sandbox_server import Request, Response


@dataclass
class Body:
    """A request body: fields (a list per name, ``name[]`` read as ``name``) and files."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def one(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default


def read_body(request: Request) -> Body:
    """The fields and files of a form, JSON or multipart body (and the query).

    :raises ValueError: a body that is not what its Content-Type says.
    """
    body = Body({_plain(k): v for k, v in request.query.items()})
    kind = request.header("Content-Type").lower()
    if "multipart/form-data" in kind:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + request.header("Content-Type").encode() + b"\r\n\r\n" + request.body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                body.files[_plain(name)] = (bytes(payload), part.get_content_type())
            else:
                body.fields.setdefault(_plain(name), []).append(bytes(payload).decode("utf-8"))
    elif "json" in kind and request.body:
        data = request.json()
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        for name, value in data.items():
            values = value if isinstance(value, list) else [value]
            body.fields[_plain(name)] = ["" if v is None else str(v) for v in values]
    elif request.body:
        for name, values in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items():
            body.fields.setdefault(_plain(name), []).extend(values)
    return body


def _plain(name: str) -> str:
    return name[:-2] if name.endswith("[]") else name


def error(status: int, words: str) -> Response:
    """A refusal as a Mastodon server answers it: ``{"error": words}``."""
    return Response(status=status, body={"error": words})


@dataclass
class Window:
    """One rate limit: ``limit`` calls per ``period``, counted from the first call."""

    limit: int
    period: timedelta
    started: datetime | None = None
    used: int = 0

    def take(self, now: datetime) -> bool:
        """Count one call; False when the window is spent."""
        if self.started is None or now >= self.started + self.period:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def reset(self, now: datetime) -> datetime:
        return (self.started or now) + self.period


class RateWindows:
    """Per account: every call, media uploads, deletes [platforms-2026.md 6.4]."""

    def __init__(self, clock: Clock, calls: int, media: int, deletes: int) -> None:
        self.clock = clock
        self._sizes = {
            "calls": (calls, timedelta(minutes=5)),
            "media": (media, timedelta(minutes=30)),
            "deletes": (deletes, timedelta(minutes=30)),
        }
        self._windows: dict[tuple[str, str], Window] = {}
        self._lock = threading.Lock()

    def _window(self, label: str, bucket: str) -> Window:
        key = (label, bucket)
        if key not in self._windows:
            self._windows[key] = Window(*self._sizes[bucket])
        return self._windows[key]

    def admit(self, label: str, bucket: str | None) -> Response | None:
        """None when the call may go on; else the 429 with its headers."""
        now = self.clock.now()
        with self._lock:
            for name in ("calls", bucket) if bucket else ("calls",):
                window = self._window(label, name)
                if not window.take(now):
                    return throttled(window.limit, window.reset(now), now)
        return None

    def headers(self, label: str) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers of the overall window of ``label``."""
        now = self.clock.now()
        with self._lock:
            window = self._window(label, "calls")
            return limit_headers(window.limit, window.limit - window.used, window.reset(now), now)


def limit_headers(limit: int, remaining: int, reset: datetime, now: datetime) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
    }


def throttled(limit: int, reset: datetime, now: datetime) -> Response:
    """429 as the server's throttle answers it [platforms-2026.md 6.4]."""
    response = error(429, "Too many requests")
    response.headers.update(limit_headers(limit, 0, reset, now))
    return response


def as_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
