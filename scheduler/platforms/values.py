"""The values a publisher takes and gives: the media to attach, a post's
request details, an account's credentials and identity, a published post.

Kept apart from :mod:`scheduler.platforms.base` (the publisher contract) so the
contract stays one job; ``base`` re-exports them for its callers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scheduler.platforms.keys import TokenKeeper


@dataclass(frozen=True)
class MediaFile:
    """An image or a video to attach: ``path`` absolute; ``alt_text`` (empty: none; a
    platform whose record requires one sends it empty); a video's ``title``."""

    path: Path
    mime_type: str
    size_bytes: int
    alt_text: str = ""
    title: str = ""


@dataclass(frozen=True)
class AccountIdentity:
    """Who a set of credentials speaks for.

    ``can_write`` is False when the token is valid but may not post;
    ``token_expires_at`` is aware UTC, or None when the token does not expire
    (or the platform does not say).
    """

    account_id: str
    name: str
    username: str | None = None
    can_write: bool = True
    token_expires_at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True)
class AccountCheck:
    """What checking one account found (``campaign accounts check``, preflight).

    ``credentials_present`` is False when a variable is missing (then nothing
    else was checked); ``identity`` is what the platform said, None when it
    could not be asked or refused; ``problems`` is empty when the account is ready.
    """

    label: str
    platform: str
    credentials_present: bool
    identity: AccountIdentity | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PublishedPost:
    """A post as it exists on the platform.

    ``platform_post_id`` is the platform's id (X: the tweet id; Facebook:
    ``{page-id}_{post-id}``); ``url`` its public link; ``created_at`` aware UTC
    when the platform reports it; ``text`` as the platform stores it.
    """

    platform_post_id: str
    url: str
    created_at: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class PostRequest:
    """What a platform may use beyond a post's content: ``key``, the same for every
    create of one publication until a person queues it again, different between
    publications (an idempotency key; None: no publication behind the call),
    ``language`` (ISO 639-1, or None) and ``content_warning`` (shown before the
    text where the platform has one; None: none). A platform uses what it can."""

    key: str | None = None
    language: str | None = None
    content_warning: str | None = None
    link_card: LinkCard | None = None


@dataclass(frozen=True)
class LinkCard:
    """The card written for a post's link: ``title``, ``description`` and the
    ``thumbnail`` image file (None: none), read from the post, never from the page."""

    title: str
    description: str = ""
    thumbnail: MediaFile | None = None


@dataclass(frozen=True)
class Credentials:
    """Secret values for one account, keyed by credential field name; ``keeper``
    is where the tokens the platform issues are kept (None: in this process only).

    Never shown: ``repr`` and ``str`` print only the field names.
    """

    values: dict[str, str] = field(repr=False)
    keeper: TokenKeeper | None = field(default=None, repr=False, compare=False)
    # A short-lived access token the token store renews, called before each request.
    access_token: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def secrets(self) -> list[str]:
        """Every secret value; for log redaction."""
        return [value for value in self.values.values() if value]

    def __repr__(self) -> str:
        return f"Credentials(fields={sorted(self.values)})"

    __str__ = __repr__
