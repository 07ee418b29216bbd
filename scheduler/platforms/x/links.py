"""X's post links: a post's public URL, the post id in one a person pasted, and
the hosts a link to an X post may have.

Kept apart from the publisher so that the profile (and through it the
dashboard) can answer without loading tweepy.
"""

from __future__ import annotations

import re

# X's web hosts: x.com since the 2024 rename, twitter.com and its mobile host
# still answering with redirects to it. A post's link is
# https://x.com/<handle>/status/<id> (or /i/web/status/<id>).
LINK_HOSTS = frozenset(
    {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
)
# A status link: https://x.com/{user}/status/{id}; twitter.com and /statuses/ too.
_STATUS = re.compile(r"/status(?:es)?/(\d+)")


def post_url(post_id: str) -> str:
    """The public link of a post; X redirects it to the author's handle."""
    return f"https://x.com/i/web/status/{post_id}"


def post_id_from_url(url: str) -> str | None:
    """The post id in a status link, or None."""
    match = _STATUS.search(url)
    return match.group(1) if match else None
