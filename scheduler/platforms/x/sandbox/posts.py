"""The X stand-in's post and user endpoints: create, delete, look up, me, timeline.

Create checks what X checks [platforms.md 1.1, 1.4, 1.5]: a JSON body valid
against ``CreatePostsRequest``, write access, the 24-hour user and app caps,
the weighted length (twitter-text v3: 280, URLs 23, CJK and emoji 2), media
ids that exist, belong to the account, have finished processing and have not
expired (at most 4 images, or 1 GIF, or 1 video), and no identical text from
the same account within the duplicate window. It answers 201 with ``location``
and the stored (rewritten) text.

The timeline answers newest first with ``meta`` (``result_count``,
``newest_id``, ``oldest_id``, ``next_token``) and omits ``data`` when there is
nothing [platforms.md 1.7].
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from twitter_text import extract_urls, parse_tweet

from scheduler.platforms.sandbox_server import Response
from scheduler.platforms.x.sandbox.base import XCall, XStandIn
from scheduler.platforms.x.sandbox.openapi import schema_errors
from scheduler.platforms.x.sandbox.responses import (
    daily_headers,
    duplicate,
    invalid_request,
    not_found,
    read_only_app,
    too_long,
    too_many_requests,
)
from scheduler.platforms.x.sandbox.state import XPost

PUBLIC_POST_URL = "https://api.twitter.com/2/tweets/"
MEDIA_MIX = "Your media IDs are invalid."
# Characters twitter-text refuses outright.
_INVALID = ("\ufffe", "\ufeff", "\uffff")


def _json_body(call: XCall) -> Any:
    if not call.request.header("Content-Type").startswith("application/json"):
        raise ValueError("the body must be JSON (Content-Type: application/json)")
    return call.request.json()


def create(sandbox: XStandIn, call: XCall) -> Response:
    """``POST /2/tweets``."""
    account = call.account
    try:
        body = _json_body(call)
    except ValueError as error:
        return invalid_request(str(error))
    problems = schema_errors("CreatePostsRequest", body)
    if problems:
        return invalid_request(problems[0])
    if not account.can_write:
        return read_only_app()
    user, app = sandbox.daily_windows(account, spend=False)
    if user.remaining == 0 or app.remaining == 0:
        response = too_many_requests()
        response.headers.update({**daily_headers("user", user), **daily_headers("app", app)})
        return response
    text: str = body.get("text", "")
    media_ids = tuple(body.get("media", {}).get("media_ids", []))
    if not text and not media_ids:
        return invalid_request("You must provide either text or media.", {"text": [""]})
    if text and not fits_in_a_post(text):
        return too_long()
    refusal = _check_media(sandbox, call, media_ids)
    if refusal is not None:
        return refusal
    with sandbox.state.lock:
        if _is_duplicate(sandbox, call, text):
            return duplicate()
        post = sandbox.state.add_post(account, text, media_ids)
        user, app = sandbox.daily_windows(account)
    # X bills a post with a link at another rate (platforms-2026.md 3).
    sandbox.bill("post_create_with_url" if text and extract_urls(text) else "post_create")
    response = Response(
        201, {"data": {"edit_history_tweet_ids": [post.id], "id": post.id, "text": post.text}}
    )
    response.headers.update(
        {
            "location": PUBLIC_POST_URL + post.id,
            **daily_headers("user", user),
            **daily_headers("app", app),
        }
    )
    return response


def fits_in_a_post(text: str) -> bool:
    """twitter-text's verdict on ``text`` (weighted length <= 280, no invalid characters).

    parse_tweet costs about a millisecond, so a text whose weighted length cannot
    exceed 280 skips it: every code point weighs at most 2, and each link (which
    always contains a dot) adds at most 23 on top.
    """
    cheap_bound = 2 * len(text) + 23 * text.count(".")
    if cheap_bound <= 280 and text.strip() and not any(char in text for char in _INVALID):
        return True
    return bool(parse_tweet(text).valid)


def _check_media(sandbox: XStandIn, call: XCall, media_ids: tuple[str, ...]) -> Response | None:
    kinds: list[str] = []
    now = sandbox.clock.now()
    for media_id in media_ids:
        media = sandbox.state.media.get(media_id)
        usable = (
            media is not None
            and media.owner == call.account.label
            and media.state == "succeeded"
            and now < media.expires_at
        )
        if not usable or media is None:
            return invalid_request(MEDIA_MIX, {"media.media_ids": [media_id]})
        kinds.append(media.kind)
    if len(kinds) > 1 and any(kind != "image" for kind in kinds):
        return invalid_request(MEDIA_MIX, {"media.media_ids": list(media_ids)})
    return None


def _is_duplicate(sandbox: XStandIn, call: XCall, text: str) -> bool:
    if not text:
        return False
    horizon = sandbox.clock.now() - timedelta(seconds=sandbox.duplicate_window_s)
    earlier = sandbox.state.latest_with_text(call.account.label, text)
    return earlier is not None and earlier.created_at >= horizon


def delete(sandbox: XStandIn, call: XCall) -> Response:
    """``DELETE /2/tweets/{id}``: only one's own posts."""
    post = sandbox.state.find_post(call.match["id"])
    if post is None:
        return not_found("tweet", call.match["id"])
    if post.account != call.account.label:
        return Response(
            403,
            {
                "title": "Forbidden",
                "detail": "You are not allowed to delete this Tweet.",
                "type": "about:blank",
                "status": 403,
            },
        )
    sandbox.state.delete(post)
    return Response(200, {"data": {"deleted": True}})


def lookup(sandbox: XStandIn, call: XCall) -> Response:
    """``GET /2/tweets/{id}``."""
    post = sandbox.state.find_post(call.match["id"])
    if post is None:
        return not_found("tweet", call.match["id"])
    return Response(200, {"data": _item(sandbox, post, _fields(call))})


def me(sandbox: XStandIn, call: XCall) -> Response:
    """``GET /2/users/me``: id, name and username [platforms.md 1.7]."""
    account = call.account
    return Response(
        200, {"data": {"id": account.user_id, "name": account.name, "username": account.username}}
    )


def timeline(sandbox: XStandIn, call: XCall) -> Response:
    """``GET /2/users/{id}/tweets``."""
    owner = sandbox.state.by_user_id(call.match["id"])
    if owner is None:
        return not_found("user", call.match["id"])
    try:
        query = _timeline_query(call)
    except ValueError as error:
        name, _, value = str(error).partition("=")
        return invalid_request(f"The query parameter [{name}] is invalid: {value}", {name: [value]})
    posts = [post for post in sandbox.state.live_posts(owner.label) if _selected(post, query)]
    start = 0
    if query["pagination_token"] is not None:
        start = next(
            (i for i, post in enumerate(posts) if int(post.id) <= query["pagination_token"]),
            len(posts),
        )
    page = posts[start : start + query["max_results"]]
    if not page:
        return Response(200, {"meta": {"result_count": 0}})
    meta: dict[str, Any] = {
        "result_count": len(page),
        "newest_id": page[0].id,
        "oldest_id": page[-1].id,
    }
    if start + len(page) < len(posts):
        meta["next_token"] = _token(int(posts[start + len(page)].id))
    fields = _fields(call)
    if owner.label == call.account.label:
        sandbox.bill("owned_read", len(page))  # reads of one's own posts: "Owned Reads"
    return Response(200, {"data": [_item(sandbox, post, fields) for post in page], "meta": meta})


def _timeline_query(call: XCall) -> dict[str, Any]:
    """The timeline's query parameters, checked; raises ValueError("name=value")."""
    query = {name: values[-1] for name, values in call.request.query.items()}
    result: dict[str, Any] = {"max_results": 10, "pagination_token": None}
    size = query.get("max_results", "10")
    if not size.isdigit() or not 5 <= int(size) <= 100:
        raise ValueError(f"max_results={size}")
    result["max_results"] = int(size)
    for name in ("since_id", "until_id"):
        identifier = query.get(name, "")
        if identifier and not identifier.isdigit():
            raise ValueError(f"{name}={identifier}")
        result[name] = int(identifier) if identifier else None
    for name in ("start_time", "end_time"):
        instant = query.get(name, "")
        result[name] = _parse_time(name, instant) if instant else None
    token = query.get("pagination_token")
    if token is not None:
        try:
            result["pagination_token"] = int(base64.b32hexdecode(_pad(token.upper())).decode())
        except ValueError:
            raise ValueError(f"pagination_token={token}") from None
    return result


def _selected(post: XPost, query: dict[str, Any]) -> bool:
    identifier = int(post.id)
    if query["since_id"] is not None and identifier <= query["since_id"]:
        return False
    if query["until_id"] is not None and identifier >= query["until_id"]:
        return False
    if query["start_time"] is not None and post.created_at < query["start_time"]:
        return False
    return not (query["end_time"] is not None and post.created_at > query["end_time"])


def _parse_time(name: str, value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name}={value}") from None
    if instant.tzinfo is None:
        raise ValueError(f"{name}={value}")
    return instant.astimezone(UTC)


def _token(identifier: int) -> str:
    """A base32hex pagination token, lower case and unpadded, as X's look."""
    return base64.b32hexencode(str(identifier).encode()).decode().rstrip("=").lower()


def _pad(token: str) -> str:
    return token + "=" * (-len(token) % 8)


def _fields(call: XCall) -> set[str]:
    return set(filter(None, call.request.query.get("tweet.fields", [""])[-1].split(",")))


def _item(sandbox: XStandIn, post: XPost, fields: set[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"edit_history_tweet_ids": [post.id], "id": post.id, "text": post.text}
    if "created_at" in fields:
        item["created_at"] = post.created_at.strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{post.created_at.microsecond // 1000:03d}Z"
        )
    if "author_id" in fields:
        item["author_id"] = sandbox.account(post.account).user_id
    if "attachments" in fields and post.media_ids:
        keys = [sandbox.state.media[media_id].media_key for media_id in post.media_ids]
        item["attachments"] = {"media_keys": keys}
    return item
