"""Facebook's public post links, and the hosts a link to a Page post may have.

Kept apart from the publisher so that the dashboard can ask whether a URL is
Facebook's without loading facebook-sdk.
"""

from __future__ import annotations

# The Graph API's ``permalink_url`` of a Page post is on www.facebook.com
# [platforms.md 2.7]; the mobile and "web" hosts serve the same posts.
LINK_HOSTS = frozenset({"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"})


def permalink(post_id: str) -> str:
    """Public link of a Page post ``{page-id}_{post-id}``."""
    page_id, _, number = post_id.partition("_")
    if not number:
        return f"https://www.facebook.com/{post_id}"
    return f"https://www.facebook.com/{page_id}/posts/{number}"
