"""Bluesky's settings, ``platforms.bluesky`` in config.yaml."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from scheduler.platforms.profile import PlatformSettings


class BlueskySettings(PlatformSettings):
    """A Bluesky PDS (Personal Data Server). ``api_base_url`` is the account's PDS
    (``https://bsky.social`` for accounts Bluesky hosts) or the sandbox.

    ``session_refresh_margin_s``: the session's access token is refreshed this
    many seconds before it expires (the reference PDS issues two-hour access
    tokens [platforms-2026.md 5.1]).

    ``video_service_url``: Bluesky's video service (``https://video.bsky.app``
    [platforms-2026.md 5.5]); the sandbox serves it beside the PDS. A video is
    polled every ``video_poll_interval_s`` (the docs poll every second) for at
    most ``video_processing_timeout_s``, both campaign-clock seconds.
    """

    api_base_url: str = "https://bsky.social"
    session_refresh_margin_s: float = Field(default=300.0, ge=0)
    video_service_url: str = "https://video.bsky.app"
    video_poll_interval_s: float = Field(default=1.0, gt=0)
    video_processing_timeout_s: float = Field(default=600.0, gt=0)

    def pointed_at(self, url: str) -> Self:
        """A copy whose PDS and video service calls both go to ``url`` (the sandbox)."""
        return self.model_copy(update={"api_base_url": url, "video_service_url": url})
