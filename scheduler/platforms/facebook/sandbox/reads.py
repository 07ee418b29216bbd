"""The Graph stand-in's read endpoints.

- ``GET /me`` with a Page token: the Page's ``{"id", "name"}`` [platforms.md 2.5].
- ``GET /{id}``: a Page (``id``, ``name``, ``link``) or a post.
- ``GET /debug_token?input_token=…&access_token={app-id}|{app-secret}``: the
  token's ``data``; an unknown token is HTTP 200 with ``data.error`` code 190
  and ``is_valid: false`` [platforms.md 2.5].
- ``GET /{page-id}/published_posts`` (also ``/feed``, ``/posts``): newest first,
  ``fields``, ``limit`` (1-100, default 25), ``since``/``until`` (Unix seconds
  or ISO 8601), cursor paging whose ``next`` URL carries ``access_token``, as
  facebook-sdk's ``get_all_connections`` requires [platforms.md 0.2, 2.7].
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import urlencode

from scheduler.platforms.facebook.sandbox import videos
from scheduler.platforms.facebook.sandbox.base import GraphCall, GraphStandIn
from scheduler.platforms.facebook.sandbox.errors import graph_error
from scheduler.platforms.facebook.sandbox.publish import unknown_object
from scheduler.platforms.facebook.sandbox.state import (
    APP_NAME,
    DEFAULT_POST_FIELDS,
    PageState,
    StoredPost,
)
from scheduler.platforms.sandbox_server import Response

# A sandbox Page token is issued as if from a long-lived user token: it has no
# expiry ("expires_at": 0) unless a test sets one [platforms.md 2.5].
ISSUED_AT = 1_600_000_000
ADMIN_USER_ID = "100000000000042"


def _fields(call: GraphCall, default: tuple[str, ...]) -> list[str]:
    requested = [name.strip() for name in call.param("fields").split(",") if name.strip()]
    return requested or list(default)


def _page_fields(page: PageState, fields: list[str]) -> dict[str, object]:
    values: dict[str, object] = {
        "id": page.page_id,
        "name": page.name,
        "link": page.link,
        "category": "Nonprofit Organization",
    }
    return {name: values[name] for name in fields if name in values}


def me(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``GET /me``: the Page the token speaks for."""
    assert call.page is not None  # the route authenticates with a Page token
    return Response(200, _page_fields(call.page, _fields(call, ("name", "id"))))


def graph_object(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``GET /{id}``: a Page, a video (:mod:`~scheduler.platforms.facebook.sandbox.videos`)
    or a post."""
    identifier = call.match["page"]
    video = sandbox.state.videos.get(identifier)
    if video is not None:
        return videos.video_object(sandbox, video)
    page = sandbox.state.pages.get(identifier)
    if page is not None:
        return Response(200, _page_fields(page, _fields(call, ("name", "id"))))
    with sandbox.state.lock:
        for candidate in sandbox.state.pages.values():
            for post in candidate.posts:
                if post.post_id == identifier:
                    return Response(200, post.as_graph(_fields(call, DEFAULT_POST_FIELDS)))
    return unknown_object(identifier)


def debug_token(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``GET /debug_token``: what the app token may learn about ``input_token``."""
    token = call.param("input_token")
    page = sandbox.state.page_for_token(token) if token else None
    if page is None or page.token_invalidated:
        return Response(
            200,
            {
                "data": {
                    "error": {"code": 190, "message": "The access token could not be decrypted"},
                    "is_valid": False,
                    "scopes": [],
                }
            },
        )
    expires_at = int(page.token_expires_at.timestamp()) if page.token_expires_at else 0
    data: dict[str, object] = {
        "app_id": sandbox.state.app_id,
        "type": "PAGE",
        "application": APP_NAME,
        "data_access_expires_at": int(sandbox.clock.now().timestamp()) + 90 * 86400,
        "expires_at": expires_at,
        "is_valid": True,
        "issued_at": ISSUED_AT,
        "profile_id": page.page_id,
        "scopes": list(page.scopes),
        "granular_scopes": [
            {"scope": scope, "target_ids": [page.page_id]}
            for scope in page.scopes
            if scope != "pages_show_list"
        ],
        "user_id": ADMIN_USER_ID,
    }
    if expires_at and sandbox.clock.now().timestamp() >= expires_at:
        data["is_valid"] = False
        data["error"] = {"code": 190, "subcode": 463, "message": "Session has expired"}
    return Response(200, {"data": data})


def _instant(value: str) -> datetime:
    if value.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    parsed = datetime.fromisoformat(value.replace("+0000", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _cursor(post: StoredPost) -> str:
    return base64.urlsafe_b64encode(post.post_id.encode()).decode().rstrip("=")


def posts(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``GET /{page-id}/published_posts``: one page of posts, newest first."""
    page = sandbox.state.pages.get(call.match["page"])
    if page is None:
        return unknown_object(call.match["page"])
    if call.page is not page or "pages_read_engagement" not in page.scopes:
        return graph_error(10)
    videos.settle(sandbox, page.page_id)  # a later look finds processing finished
    try:
        limit = int(call.param("limit", "25"))
        since = _instant(call.param("since")) if call.param("since") else None
        until = _instant(call.param("until")) if call.param("until") else None
    except ValueError as error:
        return graph_error(100, f"(#100) Invalid parameter: {error}")
    if not 1 <= limit <= 100:
        return graph_error(100, "(#100) The parameter limit must be between 1 and 100")
    with sandbox.state.lock:
        chosen = [
            post
            for post in reversed(page.posts)
            if (since is None or post.created_time >= since)
            and (until is None or post.created_time <= until)
        ]
    after = call.param("after")
    if after:
        cursors = [_cursor(post) for post in chosen]
        if after not in cursors:
            return graph_error(100, "(#100) Invalid cursor")
        chosen = chosen[cursors.index(after) + 1 :]
    batch = chosen[:limit]
    fields = _fields(call, DEFAULT_POST_FIELDS)
    body: dict[str, object] = {"data": [post.as_graph(fields) for post in batch]}
    if batch:
        paging: dict[str, object] = {
            "cursors": {"before": _cursor(batch[0]), "after": _cursor(batch[-1])}
        }
        if len(chosen) > limit:
            query = {name: value for name, value in call.fields.items() if name != "after"}
            query["after"] = _cursor(batch[-1])
            host = call.request.header("Host", "graph.facebook.com")
            paging["next"] = f"http://{host}{call.request.path}?{urlencode(query)}"
        body["paging"] = paging
    return Response(200, body)


def unknown_path(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """Any other versioned path: code 2500, as the real API answers."""
    return graph_error(2500, f"Unknown path components: {call.request.path}")
