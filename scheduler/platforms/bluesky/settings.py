"""Bluesky's settings, ``platforms.bluesky`` in config.yaml."""

from __future__ import annotations

from pydantic import Field

from scheduler.platforms.profile import PlatformSettings


class BlueskySettings(PlatformSettings):
    """A Bluesky PDS (Personal Data Server). ``api_base_url`` is the account's PDS
    (``https://bsky.social`` for accounts Bluesky hosts) or the sandbox.

    ``session_refresh_margin_s``: the session's access token is refreshed this
    many seconds before it expires (the reference PDS issues two-hour access
    tokens [platforms-2026.md 5.1]).
    """

    api_base_url: str = "https://bsky.social"
    session_refresh_margin_s: float = Field(default=300.0, ge=0)
