"""Facebook Pages: what the product knows of them, for everyone else to ask.

Facts and their sources (the project's platform reference):

- text: characters, at most 63,206 (platforms.md 2.2, the widely cited limit);
- media: photos under 4 MB, JPG, PNG, GIF, TIFF, HEIF or WebP, no documented
  count per post (platforms.md 2.2); videos up to 2 GB (platforms-2026.md
  4.1); no documented alt text maximum (platforms-2026.md 4.2);
- rate limits: :mod:`~scheduler.platforms.facebook.rates` (platforms.md 2.4);
- no price: the Graph API bills nothing;
- credentials: a Page access token; the app id and secret only to inspect it
  with ``debug_token`` (platforms.md 2.1, 2.5); every account names its
  ``page_id``;
- a post's id is ``{page-id}_{post-id}``, its link
  ``https://www.facebook.com/{page-id}/posts/{post-id}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scheduler.clock import Clock
from scheduler.platforms.base import AccountIdentity, Credentials, Publisher
from scheduler.platforms.facebook import links
from scheduler.platforms.facebook.media_limits import FACEBOOK_MEDIA
from scheduler.platforms.facebook.rates import FACEBOOK_RATE_LIMITS
from scheduler.platforms.facebook.settings import FacebookSettings
from scheduler.platforms.facts import (
    CharacterCount,
    CredentialField,
    MediaRules,
    TextRule,
)
from scheduler.platforms.profile import AccountEntry, PlatformProfile, PlatformSettings

if TYPE_CHECKING:
    from scheduler.platforms.faults import FaultCatalogue, FaultSource
    from scheduler.platforms.sandbox_base import PlatformSandbox

MAX_MESSAGE_CHARS = 63_206  # platforms.md 2.2


class FacebookProfile(PlatformProfile):
    """Facebook Pages, through the Graph API and facebook-sdk."""

    key = "facebook"
    display_name = "Facebook"
    label = "Facebook Pages"
    aliases = frozenset({"fb", "meta"})
    badge_colour = "#1877f2"
    link_hosts = links.LINK_HOSTS
    post_url = staticmethod(links.permalink)
    post_id_from_url = staticmethod(links.post_id_from_url)
    settings_model = FacebookSettings
    credential_fields = (
        CredentialField("page_access_token", True, "the Page's access token"),
        CredentialField("app_id", False, "the app's id, to inspect the token (debug_token)"),
        CredentialField("app_secret", False, "the app's secret, to inspect the token"),
    )
    rate_limits = FACEBOOK_RATE_LIMITS
    library_loggers = ("facebook",)
    # A Page token from a long-lived user token has no expiry (platforms.md 2.5).
    token_renewal = "renew it (a Page token from a long-lived user token does not expire)"

    def text_rule(self, settings: PlatformSettings) -> TextRule:
        return CharacterCount(MAX_MESSAGE_CHARS, self.display_name, "platforms.md 2.2")

    def media_rules(self, settings: PlatformSettings) -> MediaRules:
        return FACEBOOK_MEDIA

    def account_problems(self, account: AccountEntry) -> list[str]:
        """The credential fields, and the ``page_id`` every Page account needs."""
        problems = super().account_problems(account)
        if not account.page_id:
            problems.append("a facebook account needs page_id (the Page's numeric id, quoted)")
        return problems

    def refusal_fix(
        self, outcome: str | None, code: str | None, http_status: int | None
    ) -> str | None:
        """How a person fixes what this platform refused (:mod:`scheduler.platforms.facebook.fixes`)."""
        from scheduler.platforms.facebook.fixes import facebook_refusal_fix

        return facebook_refusal_fix(outcome, code, http_status)

    def identity_problems(self, account: AccountEntry, identity: AccountIdentity) -> list[str]:
        """The token must speak for the Page config.yaml names."""
        page = account.page_id
        if page and identity.account_id not in ("", page):
            return [
                f"the Page token is for Page {identity.account_id} ({identity.name}), but "
                f"config.yaml names page_id {page}"
            ]
        return []

    def build_publisher(
        self,
        account: AccountEntry,
        settings: PlatformSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> Publisher:
        # Imported here so facebook-sdk loads only when an account needs it.
        from scheduler.platforms.facebook.publisher import FacebookPublisher

        if not isinstance(settings, FacebookSettings):  # the registry pairs each key with its model
            raise TypeError(f"Facebook needs FacebookSettings, not {type(settings).__name__}")
        return FacebookPublisher(account, settings, credentials, clock)

    def build_sandbox(
        self, accounts: Sequence[AccountEntry], clock: Clock, faults: FaultSource, **options: Any
    ) -> PlatformSandbox:
        """The Graph stand-in; ``options`` go to
        :class:`~scheduler.platforms.facebook.sandbox.api.GraphSandbox` (quotas)."""
        from scheduler.platforms.facebook.sandbox.api import GraphSandbox

        return GraphSandbox(accounts, clock, faults, **options)

    def sandbox_credentials(self, label: str) -> dict[str, str]:
        from scheduler.platforms.facebook.sandbox.credentials import sandbox_credentials

        return sandbox_credentials(label)

    def fault_catalogue(self) -> FaultCatalogue:
        from scheduler.platforms.facebook.sandbox.faults import FACEBOOK_FAULTS

        return FACEBOOK_FAULTS
