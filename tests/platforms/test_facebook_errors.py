"""Every Facebook failure, produced over HTTP and read by the real facebook-sdk,
maps to the right outcome (the table in scheduler/platforms/facebook/translate.py)."""

from __future__ import annotations

import functools
import re
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scheduler.errors import (
    AuthFailed,
    DuplicateContent,
    PublishError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.base import MediaFile
from scheduler.platforms.facebook.publisher import FacebookPublisher
from scheduler.platforms.sandbox_server import HTTPSandbox, Request, Response, route
from scheduler.sandbox.faults import Fault
from tests.platforms.conftest import (
    MAIN_PAGE,
    START,
    FacebookPublisherFactory,
    GraphServer,
    image_file,
)


@pytest.fixture
def make(facebook_publisher: FacebookPublisherFactory) -> FacebookPublisherFactory:
    """Builds a publisher for ``fb-main`` against a base URL (timeout 0.25 s)."""
    return functools.partial(facebook_publisher, request_timeout_s=0.25)


def image(tmp_path: Path, name: str) -> MediaFile:
    return image_file(tmp_path / name, (16, 16), "blue")


def run(operation: str, publisher: FacebookPublisher, tmp_path: Path) -> Any:
    if operation == "create":
        return publisher.create_post("Join the Treaty #StopClusterBombsNow")
    if operation == "photo":
        return publisher.create_post(
            "One photo", [publisher.upload_media(image(tmp_path, "a.png"))]
        )
    if operation == "album":
        handles = [publisher.upload_media(image(tmp_path, f"{n}.png")) for n in "ab"]
        return publisher.create_post("Two photos", handles)
    if operation == "find":
        return publisher.find_post("anything", START - timedelta(hours=1), START)
    if operation == "verify":
        return publisher.verify()
    raise AssertionError(operation)


MINUTES_10 = START + timedelta(minutes=10)  # the sandbox's estimated_time_to_regain_access
DEFAULT = START + timedelta(minutes=15)  # no estimate in the headers: the documented default
HOURS_24 = START + timedelta(hours=24)  # cap_24h: access regained in 24 * 60 minutes

# (endpoint, kind, options, operation, outcome, platform code, HTTP status, reset_at)
CASES: list[
    tuple[str, str, dict[str, Any], str, type[PublishError], str | None, int | None, Any]
] = [
    ("facebook.feed", "fb_code", {"code": 1}, "create", UnknownOutcome, "1", 500, None),
    ("facebook.feed", "fb_code", {"code": 2}, "create", UnknownOutcome, "2", 500, None),
    ("facebook.feed", "fb_code", {"code": 4}, "create", RateLimited, "4", 400, DEFAULT),
    ("facebook.feed", "fb_code", {"code": 17}, "create", RateLimited, "17", 400, DEFAULT),
    ("facebook.feed", "fb_code", {"code": 32}, "create", RateLimited, "32", 400, MINUTES_10),
    ("facebook.feed", "fb_code", {"code": 613}, "create", RateLimited, "613", 400, DEFAULT),
    ("facebook.feed", "fb_code", {"code": 80001}, "create", RateLimited, "80001", 400, MINUTES_10),
    ("facebook.feed", "fb_code", {"code": 190}, "create", AuthFailed, "190", 400, None),
    ("facebook.feed", "fb_code", {"code": 200}, "create", AuthFailed, "200", 403, None),
    ("facebook.feed", "fb_code", {"code": 368}, "create", DuplicateContent, "368", 400, None),
    ("facebook.feed", "fb_code", {"code": 506}, "create", DuplicateContent, "506", 400, None),
    ("facebook.feed", "fb_code", {"code": 100}, "create", Rejected, "100", 400, None),
    ("facebook.feed", "fb_code", {"code": 324}, "create", Rejected, "324", 400, None),
    ("facebook.feed", "rate_limit", {}, "create", RateLimited, "32", 400, MINUTES_10),
    ("facebook.feed", "cap_24h", {}, "create", RateLimited, "32", 400, HOURS_24),
    ("facebook.feed", "server_error", {}, "create", UnknownOutcome, "1", 500, None),
    ("facebook.feed", "server_error", {"status": 503}, "create", UnknownOutcome, "1", 503, None),
    ("facebook.feed", "timeout", {"delay_s": 1.0}, "create", UnknownOutcome, None, None, None),
    ("facebook.feed", "drop_before", {}, "create", UnknownOutcome, None, None, None),
    ("facebook.feed", "drop_after", {}, "create", UnknownOutcome, None, None, None),
    ("facebook.feed", "error_after", {}, "create", UnknownOutcome, "2", 500, None),
    ("facebook.feed", "unauthorized", {}, "create", AuthFailed, "190/467", 400, None),
    ("facebook.feed", "expired_token", {}, "create", AuthFailed, "190/463", 400, None),
    ("facebook.feed", "forbidden", {}, "create", AuthFailed, "200", 403, None),
    ("facebook.feed", "duplicate", {}, "create", DuplicateContent, "506", 400, None),
    ("facebook.photos", "invalid_media", {}, "photo", Rejected, "100/1366046", 400, None),
    ("facebook.photos", "fb_code", {"code": 2}, "photo", UnknownOutcome, "2", 500, None),
    ("facebook.photos", "drop_after", {}, "photo", UnknownOutcome, None, None, None),
    ("facebook.photos", "server_error", {}, "album", TransientError, "1", 500, None),
    ("facebook.photos", "drop_before", {}, "album", TransientError, None, None, None),
    ("facebook.photos", "invalid_media", {}, "album", Rejected, "100/1366046", 400, None),
    ("facebook.read", "fb_code", {"code": 1}, "find", TransientError, "1", 500, None),
    ("facebook.read", "fb_code", {"code": 2}, "find", TransientError, "2", 500, None),
    ("facebook.read", "server_error", {"status": 502}, "find", TransientError, "1", 502, None),
    ("facebook.read", "drop_before", {}, "find", TransientError, None, None, None),
    ("facebook.read", "timeout", {"delay_s": 1.0}, "find", TransientError, None, None, None),
    ("facebook.read", "rate_limit", {"code": 4}, "find", RateLimited, "4", 400, DEFAULT),
    ("facebook.read", "unauthorized", {}, "find", AuthFailed, "190/467", 400, None),
    ("facebook.me", "fb_code", {"code": 2}, "verify", TransientError, "2", 500, None),
    ("facebook.me", "fb_code", {"code": 17}, "verify", RateLimited, "17", 400, DEFAULT),
    ("facebook.me", "expired_token", {}, "verify", AuthFailed, "190/463", 400, None),
    ("facebook.debug_token", "fb_code", {"code": 190}, "verify", AuthFailed, "190", 400, None),
    ("facebook.debug_token", "server_error", {}, "verify", TransientError, "1", 500, None),
]


@pytest.mark.parametrize(
    ("endpoint", "kind", "options", "operation", "outcome", "code", "status", "reset_at"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2].get('code', c[2].get('status', ''))}-{c[3]}" for c in CASES],
)
def test_sandbox_fault_maps_to_outcome(
    graph: GraphServer,
    make: FacebookPublisherFactory,
    tmp_path: Path,
    endpoint: str,
    kind: str,
    options: dict[str, Any],
    operation: str,
    outcome: type[PublishError],
    code: str | None,
    status: int | None,
    reset_at: datetime | None,
) -> None:
    graph.faults.add(Fault(endpoint, kind, **options))
    with pytest.raises(PublishError) as caught:
        run(operation, make(graph.url), tmp_path)
    error = caught.value
    assert type(error) is outcome, str(error)
    assert error.platform_code == code
    assert error.http_status == status
    assert graph.faults.fired and graph.faults.fired[0][2].kind == kind
    if isinstance(error, RateLimited):
        assert error.reset_at == reset_at
    if code is not None:
        assert error.platform_message and error.platform_message in str(error)


def test_album_upload_failure_publishes_nothing(
    graph: GraphServer, make: FacebookPublisherFactory, tmp_path: Path
) -> None:
    graph.faults.add(Fault("facebook.photos", "server_error", after=1))
    with pytest.raises(TransientError):
        run("album", make(graph.url), tmp_path)
    assert graph.sandbox.count("fb-main") == 0
    assert [photo.published for photo in graph.sandbox.page("fb-main").photos.values()] == [False]


def _answer(response: Response) -> Callable[[Request, re.Match[str]], Response]:
    return lambda request, match: response


ODD_ANSWERS = [
    # No Content-Type: facebook-sdk raises KeyError('content-type') itself.
    (Response(204), "create", UnknownOutcome, None),
    (Response(204), "find", TransientError, None),
    # An HTML proxy page: GraphAPIError("Maintype was not text, image, or querystring").
    (Response(502, b"<html>Bad Gateway</html>", content_type="text/html"), "create", UnknownOutcome, None),
    (Response(502, b"<html>Bad Gateway</html>", content_type="text/html"), "find", TransientError, None),
    # Codes without a rule of their own: is_transient decides on the create call.
    (Response(400, {"error": {"code": 9004, "message": "busy", "is_transient": True}}), "create", TransientError, "9004"),
    (Response(400, {"error": {"code": 9004, "message": "no", "is_transient": False}}), "create", Rejected, "9004"),
    (Response(400, {"error": {"code": 9004, "message": "no", "is_transient": False}}), "find", TransientError, "9004"),
    # 368 that is a policy block, not repeated content: pause the account.
    (
        Response(400, {"error": {"code": 368, "message": "It looks like you were misusing this feature by going too fast."}}),
        "create",
        AuthFailed,
        "368",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "operation", "outcome", "code"), ODD_ANSWERS)
def test_odd_answers_map_to_outcomes(
    make: FacebookPublisherFactory,
    tmp_path: Path,
    answer: Response,
    operation: str,
    outcome: type[PublishError],
    code: str | None,
) -> None:
    routes = [
        route("POST", rf"/v25\.0/{MAIN_PAGE}/feed", _answer(answer)),
        route("GET", rf"/v25\.0/{MAIN_PAGE}/published_posts", _answer(answer)),
    ]
    with HTTPSandbox(routes) as server, pytest.raises(PublishError) as caught:
        run(operation, make(server.url), tmp_path)
    assert type(caught.value) is outcome, str(caught.value)
    assert caught.value.platform_code == code
    assert caught.value.http_status == answer.status


def test_refused_connection_is_transient_even_on_create(
    make: FacebookPublisherFactory, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientError, match="could not connect"):
        run("create", make(f"http://127.0.0.1:{port}"), tmp_path)
