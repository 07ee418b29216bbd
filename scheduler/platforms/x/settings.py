"""X's settings, ``platforms.x`` in config.yaml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from scheduler.platforms.profile import PlatformSettings


class XPrices(BaseModel):
    """What X bills, in US dollars (``platforms.x.prices``): X bills each request
    since 2026 (pay-per-use). The defaults are X's rate card of 2026-08-13
    (platforms-2026.md 3: docs.x.com/x-api/getting-started/pricing at commit
    c231711); set the figures of your developer console when they differ.

    ``post_create_usd``: a post without a link; ``post_create_with_url_usd``: a
    post with one; ``owned_read_usd``: each post read back from the account's
    own timeline (reconciliation); ``media_metadata_usd``: each image's alt text
    (``POST /2/media/metadata``, the "Media Metadata" row).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_create_usd: float = Field(default=0.015, ge=0)
    post_create_with_url_usd: float = Field(default=0.200, ge=0)
    owned_read_usd: float = Field(default=0.001, ge=0)
    media_metadata_usd: float = Field(default=0.005, ge=0)


class XSettings(PlatformSettings):
    """X API v2. ``api_base_url`` is the real API or the sandbox."""

    api_base_url: str = "https://api.twitter.com"
    prices: XPrices = Field(default_factory=XPrices)
