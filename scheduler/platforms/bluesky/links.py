"""Where a Bluesky post lives: its AT URI and its public link.

A post's id in the product is its AT URI, ``at://{did}/app.bsky.feed.post/{rkey}``
[platforms-2026.md 5.2]; its public link is
``https://bsky.app/profile/{did-or-handle}/post/{rkey}`` (the Bluesky app's
address for a post, which accepts either form of the author).
"""

from __future__ import annotations

import re

POST_COLLECTION = "app.bsky.feed.post"
LINK_HOSTS = frozenset({"bsky.app"})

_AT_URI = re.compile(
    r"^at://(?P<repo>[^/]+)/app\.bsky\.feed\.post/(?P<rkey>[A-Za-z0-9._:~-]{1,512})$"
)
_WEB = re.compile(
    r"^https?://(?:www\.)?bsky\.app/profile/(?P<repo>[^/?#]+)/post/(?P<rkey>[A-Za-z0-9._:~-]{1,512})/?(?:[?#].*)?$"
)


def at_uri(repo: str, rkey: str) -> str:
    """The AT URI of the post ``rkey`` in ``repo`` (a DID or a handle)."""
    return f"at://{repo}/{POST_COLLECTION}/{rkey}"


def split_at_uri(uri: str) -> tuple[str, str] | None:
    """``(repo, rkey)`` of a post's AT URI, or None when ``uri`` is not one."""
    found = _AT_URI.match(uri.strip())
    return (found["repo"], found["rkey"]) if found else None


def post_url(post_id: str) -> str:
    """The public link of the post whose AT URI is ``post_id``; an id that is not
    an AT URI is returned as it is."""
    parts = split_at_uri(post_id)
    if parts is None:
        return post_id
    return f"https://bsky.app/profile/{parts[0]}/post/{parts[1]}"


def post_id_from_url(url: str) -> str | None:
    """The AT URI of the post a public link (or an AT URI) points at, or None."""
    text = url.strip()
    if split_at_uri(text) is not None:
        return text
    found = _WEB.match(text)
    return at_uri(found["repo"], found["rkey"]) if found else None
