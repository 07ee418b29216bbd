"""X: what the product knows of it, for everyone else to ask.

Facts and their sources (the project's platform reference):

- text: X's weighted length, at most 280, every link 23 (platforms.md 1.5;
  :mod:`~scheduler.platforms.x.text`);
- media: up to 4 photos, or 1 animated GIF, or 1 video; photo <= 5 MB,
  animated GIF <= 15 MB, video <= 512 MB; JPG, PNG, GIF, WEBP; alt text up to
  1,000 characters (platforms.md 1.6; platforms-2026.md 1.1, 1.2);
- rate limits: :mod:`~scheduler.platforms.x.rates` (platforms.md 1.2);
- prices: per request since 2026 (platforms-2026.md 3;
  :class:`~scheduler.platforms.x.settings.XPrices`);
- X refuses a text the account posted recently, without saying how recently
  (platforms.md 1.4);
- credentials: OAuth 1.0a user context, four values, and an optional app
  Bearer token for timeline reads (platforms.md 0.1); or, with ``auth:
  oauth2``, OAuth 2.0 user context: the app's client id (and secret for a
  confidential client) here, the account's tokens in the token store
  (platforms-2026.md 2);
- a post's public link: ``https://x.com/i/web/status/{id}``, which X redirects
  to the author's handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scheduler.clock import Clock
from scheduler.platforms.base import AccountIdentity, Credentials, Publisher
from scheduler.platforms.facts import (
    CredentialField,
    MediaRules,
    Price,
    TextRule,
    TokenRenewal,
)
from scheduler.platforms.profile import AccountEntry, PlatformProfile, PlatformSettings
from scheduler.platforms.x import links
from scheduler.platforms.x.media_limits import X_MEDIA
from scheduler.platforms.x.rates import X_RATE_LIMITS
from scheduler.platforms.x.settings import XSettings
from scheduler.platforms.x.text import XTextRule, has_url

OAUTH1, OAUTH2 = "oauth1", "oauth2"


def uses_oauth2(account: AccountEntry) -> bool:
    """True when ``account`` is an X account on OAuth 2.0 user context (``auth: oauth2``)."""
    return account.platform == "x" and account.auth == OAUTH2


if TYPE_CHECKING:
    from scheduler.platforms.faults import FaultCatalogue, FaultSource
    from scheduler.platforms.sandbox_base import PlatformSandbox

_PRICES = "platforms-2026.md 3 (docs.x.com pricing, 2026-08-13)"


class XProfile(PlatformProfile):
    """X (formerly Twitter), through its API v2 and tweepy."""

    key = "x"
    display_name = "X"
    label = "X"
    aliases = frozenset({"twitter", "tweet", "tweets"})
    badge_colour = "#000000"
    link_hosts = links.LINK_HOSTS
    post_url = staticmethod(links.post_url)
    post_id_from_url = staticmethod(links.post_id_from_url)
    settings_model = XSettings
    credential_fields = (
        CredentialField("api_key", True, "the app's API key (OAuth 1.0a consumer key)"),
        CredentialField("api_secret", True, "the app's API key secret"),
        CredentialField("access_token", True, "the account's access token"),
        CredentialField("access_token_secret", True, "the account's access token secret"),
        CredentialField("bearer_token", False, "the app's Bearer token, for timeline reads"),
    )
    oauth2_fields = (
        CredentialField("client_id", True, "the app's OAuth 2.0 Client ID"),
        CredentialField(
            "client_secret", False, "the app's OAuth 2.0 Client Secret (confidential clients)"
        ),
    )
    auth_modes = (OAUTH1, OAUTH2)
    rate_limits = X_RATE_LIMITS
    refuses_repeated_text = True
    library_loggers = ("tweepy",)

    def text_rule(self, settings: PlatformSettings) -> TextRule:
        return XTextRule()

    def media_rules(self, settings: PlatformSettings) -> MediaRules:
        return X_MEDIA

    def prices(self, settings: PlatformSettings) -> tuple[Price, ...]:
        table = _settings(settings).prices
        return (
            Price("post_create", "Post: Create", table.post_create_usd, "request", _PRICES),
            Price(
                "post_create_with_url",
                "Post: Create (with URL)",
                table.post_create_with_url_usd,
                "request",
                _PRICES,
            ),
            Price("media_metadata", "Media Metadata", table.media_metadata_usd, "request", _PRICES),
            Price("owned_read", "Owned Reads", table.owned_read_usd, "post read", _PRICES),
            Price("post_delete", "Content: Manage", table.post_delete_usd, "request", _PRICES),
        )

    def publication_cost(
        self, settings: PlatformSettings, text: str, alt_texts: int = 0
    ) -> tuple[tuple[Price, int], ...]:
        """One create request, at the rate with a URL when twitter-text finds a
        link in ``text`` (the rule X bills by, platforms-2026.md 3), plus one
        Media Metadata request per image with alt text."""
        prices = {price.operation: price for price in self.prices(settings)}
        create = "post_create_with_url" if has_url(text) else "post_create"
        cost = [(prices[create], 1)]
        if alt_texts:
            cost.append((prices["media_metadata"], alt_texts))
        return tuple(cost)

    def read_cost(
        self, settings: PlatformSettings, posts_read: int
    ) -> tuple[tuple[Price, int], ...]:
        """Owned Reads: each post read back from the account's own timeline."""
        prices = {price.operation: price for price in self.prices(settings)}
        return ((prices["owned_read"], posts_read),) if posts_read else ()

    def fields_for(self, account: AccountEntry) -> tuple[CredentialField, ...]:
        """OAuth 1.0a's four values, or OAuth 2.0's client id (and secret)."""
        return self.oauth2_fields if uses_oauth2(account) else self.credential_fields

    def auth_problems(self, account: AccountEntry) -> list[str]:
        """``auth`` is ``oauth1`` (the default) or ``oauth2``."""
        if account.auth is None or account.auth in self.auth_modes:
            return []
        return [
            f"auth: {account.auth} is not a way to authorize on X; write auth: oauth2 "
            "(OAuth 2.0 user context) or leave it out for OAuth 1.0a"
        ]

    def access_renewal(
        self, account: AccountEntry, settings: PlatformSettings, credentials: Credentials
    ) -> TokenRenewal | None:
        """OAuth 2.0 accounts: X's token endpoint for the app, ``oauth2_margin_s`` early."""
        if not uses_oauth2(account):
            return None
        from scheduler.platforms.x.oauth2 import token_endpoint

        x_settings = _settings(settings)
        return TokenRenewal(token_endpoint(x_settings, credentials), x_settings.oauth2_margin_s)

    def alias_hint(self) -> str:
        """The fix for a target written ``twitter``."""
        return "Twitter is now X: write x"

    def refusal_fix(
        self, outcome: str | None, code: str | None, http_status: int | None
    ) -> str | None:
        """How a person fixes what this platform refused (:mod:`scheduler.platforms.x.fixes`)."""
        from scheduler.platforms.x.fixes import x_refusal_fix

        return x_refusal_fix(outcome, code, http_status)

    def identity_problems(self, account: AccountEntry, identity: AccountIdentity) -> list[str]:
        """The handle in config.yaml's ``name`` (``@handle``) must be the credentials' user."""
        username = (identity.username or "").lower()
        handle = account.name[1:].lower() if account.name.startswith("@") else ""
        if handle and username and username != handle:
            return [
                f"the credentials are for @{identity.username}, but config.yaml names "
                f"{account.name}; use that account's access token"
            ]
        return []

    def build_publisher(
        self,
        account: AccountEntry,
        settings: PlatformSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> Publisher:
        from scheduler.platforms.x.publisher import XPublisher

        return XPublisher(account, _settings(settings), credentials, clock)

    def build_sandbox(
        self, accounts: Sequence[AccountEntry], clock: Clock, faults: FaultSource, **options: Any
    ) -> PlatformSandbox:
        """The X stand-in; ``options`` go to
        :class:`~scheduler.platforms.x.sandbox.api.XSandbox` (``limits``...)."""
        from scheduler.platforms.x.sandbox.api import XSandbox

        return XSandbox(accounts, clock, faults, **options)

    def sandbox_credentials(self, label: str) -> dict[str, str]:
        from scheduler.platforms.x.sandbox.credentials import sandbox_credentials

        return sandbox_credentials(label)

    def fault_catalogue(self) -> FaultCatalogue:
        from scheduler.platforms.x.sandbox.faults import X_FAULTS

        return X_FAULTS


def _settings(settings: PlatformSettings) -> XSettings:
    if not isinstance(settings, XSettings):  # the registry pairs each key with its model
        raise TypeError(f"X needs XSettings, not {type(settings).__name__}")
    return settings
