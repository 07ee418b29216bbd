"""Mastodon's settings, ``platforms.mastodon`` in config.yaml.

Every Mastodon server sets its own limits and states them at
``/api/v2/instance`` (``configuration``) [platforms-2026.md 6.3]. The values
here are the fallback the check uses until a publisher has read the server's
own (``campaign accounts check`` says when they differ); the defaults are the
documentation's example values, which mastodon.social serves.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scheduler.platforms.profile import PlatformSettings


class MastodonSettings(PlatformSettings):
    """Mastodon, any server.

    ``api_base_url`` empty (the default) means each account's own server, read
    from its ``name`` (``@user@server``); set it only to send every account's
    calls to one place (the sandbox does). Sizes are bytes, times seconds;
    ``media_poll_interval_s`` and ``media_processing_timeout_s`` are
    campaign-clock seconds (wall seconds, except in a rehearsal).
    """

    api_base_url: str = ""
    max_characters: int = Field(default=500, gt=0)
    characters_reserved_per_url: int = Field(default=23, ge=0)
    max_media_attachments: int = Field(default=4, gt=0)
    image_size_limit_bytes: int = Field(default=16_777_216, gt=0)
    video_size_limit_bytes: int = Field(default=103_809_024, gt=0)
    description_limit: int = Field(default=1500, gt=0)
    media_processing_timeout_s: float = Field(default=120.0, gt=0)
    media_poll_interval_s: float = Field(default=1.0, gt=0)
    instance_cache_s: float = Field(default=3600.0, ge=0)
    visibility: Literal["public", "unlisted", "private"] = "public"
