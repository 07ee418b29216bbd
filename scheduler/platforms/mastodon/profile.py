"""Mastodon: what the product knows of it, for everyone else to ask.

Facts and their sources (the project's platform reference):

- any server; an account's server is in its ``name`` (``@user@server``);
- text: grapheme clusters up to the server's ``max_characters``, each link
  counting ``characters_reserved_per_url`` (:mod:`~scheduler.platforms.mastodon.text`;
  platforms-2026.md 6.3); the settings hold the server's values; a post's
  content warning goes out as ``spoiler_text`` and counts with the text
  (mastodon ``StatusLengthValidator``);
- media: up to ``max_media_attachments`` images (4), images and videos within
  the server's size limits, alt text up to ``description_limit`` characters
  (platforms-2026.md 6.2, 6.3);
- rate limits: :mod:`~scheduler.platforms.mastodon.rates` (platforms-2026.md 6.4);
- no price: the API bills nothing;
- credentials: one access token of the account, with the scopes
  ``write:statuses``, ``write:media`` and ``read:statuses`` (platforms-2026.md 6.1, 6.2);
- a post's id is ``{user}@{server}:{status-id}``, its link
  ``https://{server}/@{user}/{status-id}`` (:mod:`~scheduler.platforms.mastodon.links`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scheduler.clock import Clock
from scheduler.platforms.base import AccountIdentity, Credentials, Publisher
from scheduler.platforms.facts import CredentialField, MediaRules, TextRule, VideoRules
from scheduler.platforms.mastodon import links
from scheduler.platforms.mastodon.rates import MASTODON_RATE_LIMITS
from scheduler.platforms.mastodon.settings import MastodonSettings
from scheduler.platforms.mastodon.text import MastodonTextRule
from scheduler.platforms.profile import AccountEntry, PlatformProfile, PlatformSettings

if TYPE_CHECKING:
    from scheduler.platforms.faults import FaultCatalogue, FaultSource
    from scheduler.platforms.sandbox_base import PlatformSandbox

SOURCE_INSTANCE = "platforms-2026.md 6.3 (/api/v2/instance, docs example values)"


def _settings(settings: PlatformSettings) -> MastodonSettings:
    if not isinstance(settings, MastodonSettings):  # the registry pairs each key with its model
        raise TypeError(f"Mastodon needs MastodonSettings, not {type(settings).__name__}")
    return settings


class MastodonProfile(PlatformProfile):
    """Mastodon, any server, through Mastodon.py."""

    key = "mastodon"
    display_name = "Mastodon"
    label = "Mastodon"
    aliases = frozenset({"toot", "fediverse", "mstdn"})
    badge_colour = "#6364ff"
    link_hosts = links.LINK_HOSTS
    post_url = staticmethod(links.post_url)
    post_id_from_url = staticmethod(links.post_id_from_url)
    settings_model = MastodonSettings
    credential_fields = (
        CredentialField(
            "access_token",
            True,
            "the account's access token (write:statuses, write:media, read:statuses)",
        ),
    )
    rate_limits = MASTODON_RATE_LIMITS
    # A status's spoiler_text, counted with its text (platforms-2026.md 6.1, 6.3).
    takes_content_warning = True
    library_loggers = ("mastodon",)
    # Tokens made in Preferences > Development do not expire.
    token_renewal = (
        "create a new access token (tokens made in Preferences > Development do not expire)"
    )

    def text_rule(self, settings: PlatformSettings) -> TextRule:
        chosen = _settings(settings)
        return MastodonTextRule(chosen.max_characters, chosen.characters_reserved_per_url)

    def media_rules(self, settings: PlatformSettings) -> MediaRules:
        chosen = _settings(settings)
        return MediaRules(
            max_images=chosen.max_media_attachments,
            max_image_bytes=chosen.image_size_limit_bytes,
            image_bytes_inclusive=True,
            image_formats=frozenset({"JPEG", "PNG", "GIF", "HEIF", "WEBP", "AVIF"}),
            max_video_bytes=chosen.video_size_limit_bytes,
            alt_text_max_chars=chosen.description_limit,
            video=VideoRules(
                max_bytes=chosen.video_size_limit_bytes,
                extensions=frozenset({"mp4", "m4v", "mov", "webm"}),
                max_fps=120,  # video_frame_rate_limit
                takes_alt_text=True,  # a video's description, like an image's
            ),
            sources={
                "video": "platforms-2026.md 6.2, 6.3 (video_size_limit, video_frame_rate_limit)",
                "max_images": SOURCE_INSTANCE,
                "max_image_bytes": SOURCE_INSTANCE,
                "image_formats": "platforms-2026.md 6.3 (supported_mime_types)",
                "max_video_bytes": SOURCE_INSTANCE,
                "alt_text_max_chars": "platforms-2026.md 6.2 (description_limit)",
            },
        )

    def account_problems(self, account: AccountEntry) -> list[str]:
        """The credential fields, and a full address ``@user@server`` as ``name``."""
        problems = super().account_problems(account)
        if links.account_parts(account.name) is None:
            problems.append(
                f"a mastodon account's name must be its full address, @user@server "
                f"(such as @cmc@mastodon.social), not {account.name!r}"
            )
        return problems

    def identity_problems(self, account: AccountEntry, identity: AccountIdentity) -> list[str]:
        """The token must speak for the account config.yaml names."""
        parts = links.account_parts(account.name)
        username = (identity.username or "").lstrip("@").split("@", 1)[0]
        if parts and username and username.lower() != parts[0].lower():
            return [
                f"the access token is for @{username}, but config.yaml names {account.name}: "
                "use a token made while signed in as that account"
            ]
        return []

    def refusal_fix(
        self, outcome: str | None, code: str | None, http_status: int | None
    ) -> str | None:
        """How a person fixes what this platform refused (:mod:`scheduler.platforms.mastodon.fixes`)."""
        from scheduler.platforms.mastodon.fixes import mastodon_refusal_fix

        return mastodon_refusal_fix(outcome, code, http_status)

    def build_publisher(
        self,
        account: AccountEntry,
        settings: PlatformSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> Publisher:
        # Imported here so Mastodon.py loads only when an account needs it.
        from scheduler.platforms.mastodon.publisher import MastodonPublisher

        return MastodonPublisher(account, _settings(settings), credentials, clock)

    def build_sandbox(
        self, accounts: Sequence[AccountEntry], clock: Clock, faults: FaultSource, **options: Any
    ) -> PlatformSandbox:
        """The Mastodon stand-in; ``options`` go to
        :class:`~scheduler.platforms.mastodon.sandbox.api.MastodonSandbox`."""
        from scheduler.platforms.mastodon.sandbox.api import MastodonSandbox

        return MastodonSandbox(accounts, clock, faults, **options)

    def sandbox_credentials(self, label: str) -> dict[str, str]:
        from scheduler.platforms.mastodon.sandbox.credentials import sandbox_credentials

        return sandbox_credentials(label)

    def fault_catalogue(self) -> FaultCatalogue:
        from scheduler.platforms.mastodon.sandbox.faults import MASTODON_FAULTS

        return MASTODON_FAULTS
