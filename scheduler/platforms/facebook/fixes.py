"""How a person fixes what Facebook refused: one sentence per Graph error.

Keyed by the attempt's outcome and the Graph error code (``platform_code``,
``code`` or ``code/subcode``) as :mod:`scheduler.platforms.facebook.translate`
records them [platforms.md 2.3]. Light on purpose (no facebook-sdk): the
dashboard imports it.
"""

from __future__ import annotations

RETRY = "then retry the publication"


def facebook_refusal_fix(
    outcome: str | None, code: str | None, http_status: int | None
) -> str | None:
    """The fix for a Facebook refusal, or None when the outcome needs none."""
    main = (code or "").split("/", 1)[0]
    if outcome == "duplicate":
        return (
            "Facebook says the Page already posted this text: reword the post in its file, "
            f"sync, {RETRY}"
        )
    if outcome == "auth_failed":
        if main == "368":
            return (
                "Facebook has blocked the Page from posting for a while: check the Page's "
                f"Support Inbox and wait until the block ends, {RETRY}"
            )
        if main == "190":
            return (
                "the Page access token has expired or was revoked: generate a new long-lived "
                "Page token (docs/facebook.md), put it in the environment variable config.yaml "
                f"names, restart the daemon, {RETRY}"
            )
        return (
            "the Page token may not publish: it needs pages_manage_posts and "
            "pages_read_engagement, from a person who can create content on the Page; "
            f"generate a new Page token (docs/facebook.md), {RETRY}"
        )
    if outcome == "rejected":
        if main == "324":
            return f"Facebook could not read an image: export it as JPG or PNG, sync, {RETRY}"
        if main == "1609005":
            return (
                "Facebook could not fetch the link: check that it opens in a browser without "
                f"signing in, fix it in the post's file, sync, {RETRY}"
            )
        return (
            "Facebook refused a value of the post (its own words are above): change the text, "
            f"link or images in the post's file, sync, {RETRY}"
        )
    return None
