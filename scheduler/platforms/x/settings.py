"""X's settings, ``platforms.x`` in config.yaml."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scheduler.platforms.profile import PlatformSettings

# X's own hosts; any other base URL is a stand-in serving the authorize page too.
X_API_HOSTS = frozenset({"api.twitter.com", "api.x.com"})
X_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"  # platforms-2026.md 2
SANDBOX_AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"  # platforms-2026.md 2


class XPrices(BaseModel):
    """What X bills, in US dollars (``platforms.x.prices``): X bills each request
    since 2026 (pay-per-use). The defaults are X's rate card of 2026-08-13
    (platforms-2026.md 3: docs.x.com/x-api/getting-started/pricing at commit
    c231711); set the figures of your developer console when they differ.

    ``post_create_usd``: a post without a link; ``post_create_with_url_usd``: a
    post with one; ``media_metadata_usd``: each alt text set on an uploaded
    image (POST /2/media/metadata, "Media Metadata"); ``owned_read_usd``: each
    post read back from the account's own timeline (reconciliation);
    ``post_delete_usd``: each post taken down (DELETE /2/tweets/{id}, which
    X's price widget files under "Content: Manage").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_create_usd: float = Field(default=0.015, ge=0)
    post_create_with_url_usd: float = Field(default=0.200, ge=0)
    media_metadata_usd: float = Field(default=0.005, ge=0)
    owned_read_usd: float = Field(default=0.001, ge=0)
    post_delete_usd: float = Field(default=0.005, ge=0)


class XSettings(PlatformSettings):
    """X API v2. ``api_base_url`` is the real API or the sandbox.

    ``oauth2_redirect_uri``: the callback address registered with the X app
    for accounts on ``auth: oauth2`` (``campaign accounts connect`` listens
    there); X matches it exactly and refuses ``localhost``, so it is
    ``http://127.0.0.1:PORT/callback`` (platforms-2026.md 2).
    ``oauth2_margin_s``: renew an access token this many wall seconds before
    it expires.
    """

    api_base_url: str = "https://api.twitter.com"
    prices: XPrices = Field(default_factory=XPrices)
    oauth2_redirect_uri: str = "http://127.0.0.1:8976/callback"
    oauth2_margin_s: float = Field(default=300.0, gt=0, le=3600)

    @field_validator("oauth2_redirect_uri")
    @classmethod
    def _loopback_callback(cls, value: str) -> str:
        parts = urlsplit(value)
        try:
            port = parts.port
        except ValueError:
            port = None
        if (
            parts.scheme != "http"
            or parts.hostname != "127.0.0.1"
            or port is None
            or not parts.path
            or parts.query
            or parts.fragment
        ):
            raise ValueError(
                f"oauth2_redirect_uri must read http://127.0.0.1:PORT/callback, the address "
                f"registered with the X app (X refuses localhost), not {value!r}"
            )
        return value

    @property
    def authorize_url(self) -> str:
        """Where a person authorizes the app: X's page, or the stand-in's."""
        if urlsplit(self.api_base_url).hostname in X_API_HOSTS:
            return X_AUTHORIZE_URL
        return self.api_base_url.rstrip("/") + SANDBOX_AUTHORIZE_PATH

    @property
    def token_url(self) -> str:
        """X's OAuth 2.0 token endpoint on the configured base URL."""
        return self.api_base_url.rstrip("/") + TOKEN_PATH
