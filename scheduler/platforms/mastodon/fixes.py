"""How a person fixes what a Mastodon server refused: one sentence per outcome.

Keyed by the attempt's outcome and HTTP status as
:mod:`scheduler.platforms.mastodon.errors` records them. Light on purpose (no
Mastodon.py): the dashboard imports it.
"""

from __future__ import annotations

RETRY = "then retry the publication"


def mastodon_refusal_fix(
    outcome: str | None, code: str | None, http_status: int | None
) -> str | None:
    """The fix for a Mastodon refusal, or None when the outcome needs none."""
    if outcome == "auth_failed":
        if http_status == 403:
            return (
                "the access token may not post: create a new one in the server's "
                "Preferences > Development with the scopes write:statuses, write:media and "
                "read:statuses (docs/mastodon.md), put it in the environment variable config.yaml "
                f"names, restart the daemon, {RETRY}"
            )
        return (
            "the server refused the access token (revoked, or for another server): create a "
            "new one (docs/mastodon.md), put it in the environment variable config.yaml names, "
            f"restart the daemon, {RETRY}"
        )
    if outcome == "rejected":
        if code == "media":
            return (
                "the server could not process an image or video: export it again (JPG, PNG or "
                f"MP4, within the server's size limits), sync, {RETRY}"
            )
        return (
            "the server refused a value of the post (its own words are above): shorten the "
            f"text or change the media in the post's file, sync, {RETRY}"
        )
    return None
