"""X's public post links, and the hosts a link to an X post may have.

Kept apart from :mod:`scheduler.platforms.x` so that the dashboard can ask
whether a URL is X's without loading tweepy.
"""

from __future__ import annotations

# X's web hosts: x.com since the 2024 rename, twitter.com and its mobile host
# still answering with redirects to it. A post's link is
# https://x.com/<handle>/status/<id> (or /i/web/status/<id>).
LINK_HOSTS = frozenset(
    {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
)


def post_url(post_id: str) -> str:
    """The public link of a post; X redirects it to the author's handle."""
    return f"https://x.com/i/web/status/{post_id}"
