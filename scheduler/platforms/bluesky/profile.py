"""Bluesky: what the product knows of it, for everyone else to ask.

Facts and their sources (the project's platform reference, platforms-2026.md 5):

- text: 300 graphemes and 3,000 UTF-8 bytes, links as written (5.3;
  :mod:`~scheduler.platforms.bluesky.text`);
- media: up to 4 images, each at most 2,000,000 bytes (the lexicon's limit since
  2026-04-08; docs still say 1,000,000), ``image/*``; alt text required by the
  record (an empty one when a post has none); one video up to 300,000,000 bytes
  (``video/mp4`` blob in ``app.bsky.embed.video``) and 10 minutes (the app's own
  cap), MP4, MPEG, WebM or QuickTime (uploaded to the video service, which
  re-encodes to MP4), alt text optional and uncapped, not mixed with images
  (5.3, 5.5);
- rate limits: points per hour and per day (:mod:`~scheduler.platforms.bluesky.rates`);
- prices: none (Bluesky bills nothing);
- credentials: the handle and an app password (5.1);
- a post's public link: ``https://bsky.app/profile/{did}/post/{rkey}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scheduler.clock import Clock
from scheduler.platforms.base import AccountIdentity, Credentials, Publisher
from scheduler.platforms.bluesky import links
from scheduler.platforms.bluesky.rates import BLUESKY_RATE_LIMITS
from scheduler.platforms.bluesky.settings import BlueskySettings
from scheduler.platforms.bluesky.text import BlueskyTextRule
from scheduler.platforms.facts import CredentialField, MediaRules, TextRule, VideoRules
from scheduler.platforms.profile import AccountEntry, PlatformProfile, PlatformSettings

if TYPE_CHECKING:
    from scheduler.platforms.faults import FaultCatalogue, FaultSource
    from scheduler.platforms.sandbox_base import PlatformSandbox

BLUESKY_MEDIA = MediaRules(
    max_images=4,
    max_image_bytes=2_000_000,
    image_bytes_inclusive=True,
    image_formats=frozenset({"JPEG", "PNG", "GIF", "WEBP"}),
    max_video_bytes=300_000_000,
    images_and_video_mix=False,
    alt_text_max_chars=None,  # no limit in the lexicon (the app caps at 2,000)
    video=VideoRules(
        max_bytes=300_000_000,
        extensions=frozenset({"mp4", "m4v", "mpeg", "mpg", "webm", "mov"}),
        max_duration_s=600.0,
        takes_alt_text=True,  # the embed's ``alt``
    ),
    sources={
        "video": "platforms-2026.md 5.3 (video.json maxSize 300,000,000; alt), "
        "5.5 (the app's caps: 10 minutes, 300 MB; MIME mp4, mpeg, webm, quicktime)",
        "max_images": "platforms-2026.md 5.3 (embed.images max 4)",
        "max_image_bytes": "platforms-2026.md 5.3 (images.json maxSize 2,000,000)",
        "image_formats": "platforms-2026.md 5.3 (blob image/*)",
        "max_video_bytes": "platforms-2026.md 5.3 (video.json maxSize)",
        "images_and_video_mix": "platforms-2026.md 5.3 (embed is one union member)",
    },
)


class BlueskyProfile(PlatformProfile):
    """Bluesky, through the AT Protocol and the atproto SDK."""

    key = "bluesky"
    display_name = "Bluesky"
    label = "Bluesky"
    aliases = frozenset({"bsky", "blue sky", "atproto", "skeet"})
    badge_colour = "#1185fe"
    link_hosts = links.LINK_HOSTS
    post_url = staticmethod(links.post_url)
    post_id_from_url = staticmethod(links.post_id_from_url)
    settings_model = BlueskySettings
    credential_fields = (
        CredentialField("handle", True, "the account's handle (name.bsky.social) or e-mail"),
        CredentialField(
            "app_password",
            True,
            "an app password (Settings > Privacy and security > App passwords), "
            "never the account's own password",
        ),
    )
    rate_limits = BLUESKY_RATE_LIMITS
    library_loggers = ("atproto", "atproto_client", "httpx", "httpcore")
    token_renewal = (
        "nothing to do: the session is refreshed by itself; if it is refused, "
        "create a new app password"
    )

    def text_rule(self, settings: PlatformSettings) -> TextRule:
        return BlueskyTextRule()

    def media_rules(self, settings: PlatformSettings) -> MediaRules:
        return BLUESKY_MEDIA

    def account_problems(self, account: AccountEntry) -> list[str]:
        """Credential fields, and a ``name`` that is a handle (``@name.bsky.social``)."""
        problems = super().account_problems(account)
        handle = account.name.removeprefix("@")
        if "." not in handle or " " in handle:
            problems.append(
                f"a Bluesky account's name is its handle, such as @cmc.bsky.social, "
                f"not {account.name!r}"
            )
        return problems

    def identity_problems(self, account: AccountEntry, identity: AccountIdentity) -> list[str]:
        """The handle in config.yaml's ``name`` must be the account the session is for."""
        handle = account.name.removeprefix("@").lower()
        found = (identity.username or "").lower()
        if handle and found and found != handle:
            return [
                f"the app password opens @{identity.username}, but config.yaml names "
                f"{account.name}; use that account's handle and app password"
            ]
        return []

    def build_publisher(
        self,
        account: AccountEntry,
        settings: PlatformSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> Publisher:
        from scheduler.platforms.bluesky.publisher import BlueskyPublisher

        if not isinstance(settings, BlueskySettings):
            raise TypeError(f"Bluesky needs BlueskySettings, not {type(settings).__name__}")
        return BlueskyPublisher(account, settings, credentials, clock)

    def build_sandbox(
        self, accounts: Sequence[AccountEntry], clock: Clock, faults: FaultSource, **options: Any
    ) -> PlatformSandbox:
        """The Bluesky stand-in; ``options`` go to
        :class:`~scheduler.platforms.bluesky.sandbox.api.BlueskySandbox`."""
        from scheduler.platforms.bluesky.sandbox.api import BlueskySandbox

        return BlueskySandbox(accounts, clock, faults, **options)

    def sandbox_credentials(self, label: str) -> dict[str, str]:
        from scheduler.platforms.bluesky.sandbox.credentials import sandbox_credentials

        return sandbox_credentials(label)

    def fault_catalogue(self) -> FaultCatalogue:
        from scheduler.platforms.bluesky.sandbox.faults import BLUESKY_FAULTS

        return BLUESKY_FAULTS
