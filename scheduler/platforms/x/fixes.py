"""How a person fixes what X refused: one sentence per kind of refusal.

Keyed by the attempt's outcome and X's problem type (``platform_code``, the
last segment of the RFC 7807 ``type``) or HTTP status, as
:mod:`scheduler.platforms.x.errors` records them [platforms.md 0.1, 1.3, 1.4].
Light on purpose (no tweepy): the dashboard imports it.
"""

from __future__ import annotations

RETRY = "then retry the publication"


def x_refusal_fix(outcome: str | None, code: str | None, http_status: int | None) -> str | None:
    """The fix for an X refusal, or None when the outcome needs none (published,
    a transient error the daemon retries by itself)."""
    if outcome == "duplicate":
        return (
            "X already has this text on the account: reword the post in its file (changing "
            f"only case or spaces is not enough), sync, {RETRY}"
        )
    if outcome == "auth_failed":
        if http_status == 402 or code == "credits":
            return (
                f"the X app's API credits are spent: top them up in the X developer portal, {RETRY}"
            )
        if code in ("oauth1-permissions", "client-forbidden"):
            return (
                "the X app may only read: set its permissions to Read and write in the X "
                "developer portal, regenerate the access token and secret (new permissions "
                f"apply only to new tokens), update their environment variables, {RETRY}"
            )
        return (
            "X refused the account's credentials: regenerate the access token and secret in "
            "the X developer portal, update the environment variables config.yaml names for "
            f"the account, restart the daemon, {RETRY}"
        )
    if outcome == "rejected":
        if http_status == 413:
            return f"X refused a file as too large: export the image smaller, sync, {RETRY}"
        return (
            "X refused the post as it is (its own words are above): change the text or the "
            f"images in the post's file, sync, {RETRY}"
        )
    return None
