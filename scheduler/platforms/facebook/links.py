"""Facebook's post links: a Page post's public URL, its id in one a person
pasted, and the hosts a link to a Page post may have.

A Page post's Graph id is ``{page-id}_{post-id}`` and appears in permalinks
(platforms.md 2.1, 2.5). Kept apart from the publisher so that the profile (and
through it the dashboard) can answer without loading facebook-sdk.
"""

from __future__ import annotations

import re

# The Graph API's ``permalink_url`` of a Page post is on www.facebook.com
# [platforms.md 2.7]; the mobile and "web" hosts serve the same posts.
LINK_HOSTS = frozenset({"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"})

_GRAPH_ID = re.compile(r"(\d+)_(\d+)")
_PAGE_POST = re.compile(r"facebook\.com/(\d+)/posts/(\d+)")
_STORY = re.compile(r"story_fbid=(\d+).*?[?&]id=(\d+)")


def permalink(post_id: str) -> str:
    """Public link of a Page post ``{page-id}_{post-id}``."""
    page_id, _, number = post_id.partition("_")
    if not number:
        return f"https://www.facebook.com/{post_id}"
    return f"https://www.facebook.com/{page_id}/posts/{number}"


def post_id_from_url(url: str) -> str | None:
    """``{page-id}_{post-id}`` read from a permalink, a Graph id in a link, or a
    ``story.php?story_fbid=...&id=...`` link; None for anything else."""
    for pattern in (_GRAPH_ID, _PAGE_POST):
        match = pattern.search(url)
        if match:
            return "_".join(match.groups())
    story = _STORY.search(url)
    return f"{story.group(2)}_{story.group(1)}" if story else None
