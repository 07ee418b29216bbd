"""The contract of one platform's stand-in (its sandbox), as the sandbox mounts it.

Each platform's profile builds its stand-in
(:meth:`~scheduler.platforms.profile.PlatformProfile.build_sandbox`); the
sandbox (:mod:`scheduler.sandbox.app`) serves every registered platform's
routes on one local server and reads back what each stored.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from scheduler.platforms.sandbox_server import Route


@dataclass(frozen=True)
class SentImage:
    """An image or video that came with a post: ``kind`` (``image``, ``gif``,
    ``video``), its format (``PNG``, ``MP4``), size in pixels and in bytes (0 when
    the stand-in did not look), and the alt text it carried (empty: none)."""

    kind: str
    format: str
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    alt_text: str = ""


@dataclass(frozen=True)
class SentPost:
    """A post a stand-in stored: the platform's id and the text as the product sent
    it; what a rehearsal keeps of it for people (:mod:`scheduler.daemon.receipts`):
    when it arrived (campaign time, aware UTC), the text as the platform would show
    it, the images and the link card's address."""

    post_id: str
    text: str
    received_at: datetime | None = None
    shown_text: str | None = None
    images: tuple[SentImage, ...] = ()
    link: str | None = None


class PlatformSandbox(ABC):
    """One platform's stand-in: its routes, and what it stored, for checks.

    ``wall_offset_s`` is how many seconds the platform's clock runs ahead of this
    host's (negative: behind): a stand-in that checks request timestamps checks
    them against its shifted clock, as the real platform would against its own
    when the host's clock is off (:meth:`scheduler.sandbox.app.Sandbox.shift_clock`).
    """

    wall_offset_s: float = 0.0

    @abstractmethod
    def routes(self) -> list[Route]:
        """Every endpoint of this stand-in. Paths must not overlap another
        platform's (each platform's API has its own path shape: ``/2/``, ``/v25.0/``)."""

    @abstractmethod
    def sent(self, label: str) -> list[SentPost]:
        """The posts of account ``label`` the stand-in holds, oldest first
        (empty for an account it does not know)."""

    @abstractmethod
    def count(self, label: str | None = None) -> int:
        """Posts stored for ``label`` (every account when None)."""

    def authorize(self, label: str) -> tuple[str, str, datetime] | None:
        """What a person authorizing account ``label`` would obtain, for platforms
        whose accounts keep short-lived tokens in the token store (a rehearsal
        connects them so): the access token, the refresh token and the access
        token's expiry (aware UTC). None where accounts have no such tokens."""
        return None

    def billed(self) -> Counter[str]:
        """What the real platform would bill for what this stand-in answered: how
        many of each priced operation (a :class:`~scheduler.platforms.facts.Price`'s
        ``operation``, counted in its ``per`` unit). Empty where nothing is billed."""
        return Counter()
