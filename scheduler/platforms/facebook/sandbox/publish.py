"""The Graph stand-in's write endpoints: ``POST /{page-id}/feed`` and ``/photos``.

Checks made the way the platform makes them [platforms.md 2.1-2.3]:

- the token must be a Page token of this very Page with ``pages_manage_posts``
  and ``pages_read_engagement``, else code 200 (HTTP 403);
- a feed post needs a message, a link or attached photos (code 100); messages
  longer than 63,206 characters are refused (code 100);
- ``attached_media`` must name unpublished photos of this Page not attached yet
  (code 100); it may be sent as ``attached_media[0]={"media_fbid":"…"}`` fields
  or as one JSON array;
- a photo needs a ``source`` file part (code 324) that is an image under 4 MB
  in an accepted format (code 100 subcode 1366046);
- the same text posted again within 24 hours is refused: code 506 on the feed,
  code 368 "already posted" on photos.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta

from scheduler.platforms.facebook.sandbox.base import GraphCall, GraphStandIn
from scheduler.platforms.facebook.sandbox.errors import graph_error, invalid_photo
from scheduler.platforms.facebook.sandbox.media import inspect_photo
from scheduler.platforms.facebook.sandbox.state import PageState, same_text
from scheduler.platforms.sandbox_server import Response

MAX_MESSAGE_CHARS = 63_206
DUPLICATE_WINDOW = timedelta(hours=24)
_ATTACHED = re.compile(r"^attached_media\[(\d+)\]$")


def _target(sandbox: GraphStandIn, call: GraphCall) -> PageState | Response:
    """The Page in the path, if the call's token may publish to it."""
    named = call.match["page"]
    page = sandbox.state.pages.get(named)
    if page is None:
        return unknown_object(named)
    token_page = call.page
    if token_page is not page or not {"pages_manage_posts", "pages_read_engagement"} <= set(
        page.scopes
    ):
        return graph_error(200)
    return page


def unknown_object(identifier: str, method: str = "get") -> Response:
    """Code 100 subcode 33, the answer for an id that is not there (``method``:
    the request's, lower case, as the Graph words it: "Unsupported delete request")."""
    return graph_error(
        100,
        f"Unsupported {method} request. Object with ID '{identifier}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
        error_type="GraphMethodException",
    )


def _is_false(value: str) -> bool:
    return value.strip().lower() in ("false", "0")


def _repeats(sandbox: GraphStandIn, page: PageState, message: str, link: str | None) -> bool:
    if not message:
        return False
    since = sandbox.clock.now() - DUPLICATE_WINDOW
    return any(
        post.created_time >= since.replace(microsecond=0)
        and post.link == link
        and same_text(post.message, message)
        for post in page.posts
    )


def _attached_ids(call: GraphCall) -> list[str]:
    """Photo ids from ``attached_media[n]`` fields or a JSON ``attached_media`` array.

    :raises ValueError: an entry is not ``{"media_fbid": "…"}``.
    """
    entries: list[tuple[int, str]] = []
    for name, value in call.fields.items():
        match = _ATTACHED.match(name)
        if match:
            entries.append((int(match[1]), value))
    values = [value for _, value in sorted(entries)]
    if "attached_media" in call.fields:
        parsed = json.loads(call.fields["attached_media"])
        if not isinstance(parsed, list):
            raise ValueError("attached_media must be an array")
        values.extend(json.dumps(item) for item in parsed)
    ids: list[str] = []
    for value in values:
        item = json.loads(value)
        if not isinstance(item, dict) or "media_fbid" not in item:
            raise ValueError("each attached_media entry needs media_fbid")
        ids.append(str(item["media_fbid"]))
    return ids


def feed(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``POST /{page-id}/feed``: answers ``{"id": "{page-id}_{post-id}"}``."""
    page = _target(sandbox, call)
    if isinstance(page, Response):
        return page
    message = call.param("message")
    link = call.param("link") or None
    if _is_false(call.param("published", "true")):
        return graph_error(
            100, "(#100) The sandbox publishes at once: scheduled_publish_time is not supported"
        )
    try:
        photo_ids = _attached_ids(call)
    except ValueError as error:
        return graph_error(100, f"(#100) param attached_media is invalid: {error}")
    if not (message or link or photo_ids):
        return graph_error(100, "(#100) Missing message or attachment")
    if len(message) > MAX_MESSAGE_CHARS:
        return graph_error(100, "(#100) Message is too long")
    with sandbox.state.lock:
        for index, photo_id in enumerate(photo_ids):
            photo = page.photos.get(photo_id)
            if photo is None or photo.published:
                return graph_error(
                    100, f"(#100) param attached_media[{index}] has invalid media_fbid {photo_id}"
                )
        if _repeats(sandbox, page, message, link):
            return graph_error(506)
        post = sandbox.state.add_post(page, message, link, sandbox.clock.now(), tuple(photo_ids))
        for photo_id in photo_ids:
            page.photos[photo_id] = dataclasses.replace(page.photos[photo_id], published=True)
    return Response(200, {"id": post.post_id})


def photos(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``POST /{page-id}/photos``: ``{"id", "post_id"}`` when published, else ``{"id"}``."""
    page = _target(sandbox, call)
    if isinstance(page, Response):
        return page
    source = call.files.get("source")
    if source is None:
        if call.param("url"):
            return graph_error(100, "(#100) The sandbox cannot fetch url: upload the file")
        return graph_error(324)
    image = inspect_photo(source)
    if image is None:
        return invalid_photo()
    message = call.param("message") or call.param("caption")
    published = not _is_false(call.param("published", "true"))
    now = sandbox.clock.now()
    with sandbox.state.lock:
        if published and _repeats(sandbox, page, message, None):
            return graph_error(368)
        alt = call.param("alt_text_custom") or ""
        photo = sandbox.state.add_photo(page, image, published, now, alt)
        if not published:
            return Response(200, {"id": photo.photo_id})
        post = sandbox.state.add_post(page, message, None, now, (photo.photo_id,))
    return Response(200, {"id": photo.photo_id, "post_id": post.post_id})


def delete(sandbox: GraphStandIn, call: GraphCall) -> Response:
    """``DELETE /{post-id}``: a post of the token's own Page, with
    ``pages_manage_posts``; ``{"success": true}``. An id that is not there (or
    not the token's to see) answers code 100 subcode 33, as the Graph does."""
    identifier = call.match["page"]
    page = call.page
    with sandbox.state.lock:
        for candidate in sandbox.state.pages.values():
            for post in candidate.posts:
                if post.post_id != identifier:
                    continue
                if candidate is not page:
                    return unknown_object(identifier, "delete")
                if "pages_manage_posts" not in candidate.scopes:
                    return graph_error(200)
                candidate.posts.remove(post)
                return Response(200, {"success": True})
    return unknown_object(identifier, "delete")
