"""Chirp's profile: a text limit read from its settings (as a server-provided
limit would be), plain character counting, two images, one token per account."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from pydantic import Field

from scheduler.clock import Clock
from scheduler.platforms.base import Credentials, Publisher
from scheduler.platforms.facts import (
    MEGABYTE,
    CharacterCount,
    CredentialField,
    MediaRules,
    RateLimits,
    TextRule,
)
from scheduler.platforms.faults import FaultCatalogue, FaultSource
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.platforms.profile import AccountEntry, PlatformProfile, PlatformSettings
from scheduler.platforms.sandbox_base import PlatformSandbox

_POST_LINK = re.compile(r"chirp\.example/p/(\d+)")


class ChirpSettings(PlatformSettings):
    """``platforms.chirp``: where Chirp is, and how long a post may be there."""

    api_base_url: str = "https://chirp.example"
    max_characters: int = Field(default=300, ge=1)


class ChirpProfile(PlatformProfile):
    """Chirp. Its posts live in :attr:`memory`, shared by its publishers and its sandbox."""

    key = "chirp"
    display_name = "Chirp"
    label = "Chirp"
    aliases = frozenset({"chirper"})
    badge_colour = "#ff8800"
    settings_model = ChirpSettings
    credential_fields = (CredentialField("token", True, "the account's token"),)
    rate_limits = RateLimits((), "no rate limits", default_wait=timedelta(minutes=5))

    def __init__(self) -> None:
        self.memory = MemoryPlatform()

    def text_rule(self, settings: PlatformSettings) -> TextRule:
        assert isinstance(settings, ChirpSettings)
        return CharacterCount(settings.max_characters, self.display_name, "Chirp's settings")

    def media_rules(self, settings: PlatformSettings) -> MediaRules:
        return MediaRules(
            max_images=2,
            max_image_bytes=5 * MEGABYTE,
            image_bytes_inclusive=True,
            image_formats=frozenset({"PNG", "JPEG"}),
        )

    def post_url(self, post_id: str) -> str:
        return f"https://chirp.example/p/{post_id}"

    def post_id_from_url(self, url: str) -> str | None:
        match = _POST_LINK.search(url)
        return match.group(1) if match else None

    def build_publisher(
        self,
        account: AccountEntry,
        settings: PlatformSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> Publisher:
        return MemoryPublisher(account.label, self.memory)

    def build_sandbox(
        self, accounts: Sequence[AccountEntry], clock: Clock, faults: FaultSource, **options: Any
    ) -> PlatformSandbox:
        from tests.platforms.chirp.sandbox import ChirpSandbox

        self.memory = MemoryPlatform(clock=clock)  # the sandbox's clock: the rehearsal's
        return ChirpSandbox(self.memory, faults)

    def sandbox_credentials(self, label: str) -> dict[str, str]:
        return {"token": f"chirp-{label}-token"}

    def fault_catalogue(self) -> FaultCatalogue:
        return FaultCatalogue(
            endpoints=frozenset({"chirp.posts"}),
            creates=frozenset(),
            example="chirp.posts:slow:delay_s=0.1",
        )
