"""What the sandbox received in a rehearsal, and links that lead there.

A rehearsal must never show a link to a real x.com or facebook.com address:
the sandbox's ids belong to strangers' posts there. :class:`ReceiptLinks`
wraps each publisher of a rehearsal so the link recorded for a published post
is the dashboard's page of what the sandbox received
(:func:`scheduler.storage.receipts.receipt_link`); :func:`received_posts` reads
everything the sandbox stored, for the rehearsal to save in its database, so
the page still works after the sandbox has stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from scheduler.config import CampaignConfig
from scheduler.platforms.base import (
    AccountIdentity,
    MediaFile,
    PostRequest,
    PublishedPost,
    Publisher,
)
from scheduler.sandbox.app import Sandbox
from scheduler.storage.receipts import Receipt, receipt_link


class ReceiptLinks(Publisher):
    """A publisher that talks to the sandbox through ``inner`` and records, for each
    post, the link to the dashboard's page of what the sandbox received."""

    def __init__(self, inner: Publisher) -> None:
        super().__init__(inner.account_label)
        self.inner = inner
        self.platform = inner.platform

    def _relink(self, post: PublishedPost | None) -> PublishedPost | None:
        if post is None:
            return None
        return PublishedPost(
            post.platform_post_id,
            receipt_link(self.platform, post.platform_post_id),
            post.created_at,
            post.text,
        )

    def _verify(self) -> AccountIdentity:
        return self.inner.verify()

    def _upload_media(self, media: MediaFile) -> str:
        return self.inner.upload_media(media)

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        return self._create_post_for(text, media_ids, link, PostRequest())

    def _create_post_for(
        self, text: str, media_ids: Sequence[str], link: str | None, request: PostRequest
    ) -> PublishedPost:
        post = self._relink(self.inner.create_post(text, media_ids, link, request=request))
        assert post is not None
        return post

    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        return self._find_post_for(text, since, until, PostRequest())

    def _find_post_for(
        self, text: str, since: datetime, until: datetime, request: PostRequest
    ) -> PublishedPost | None:
        return self._relink(self.inner.find_post(text, since, until, request=request))

    def _translate(self, error: Exception, operation: str, creates: bool) -> Any:
        # The inner publisher raises only PublishErrors, which pass through untouched.
        raise error

    def close(self) -> None:
        self.inner.close()


def received_posts(sandbox: Sandbox, config: CampaignConfig) -> list[Receipt]:
    """Every post the sandbox holds for the campaign's accounts, with what came with
    it (each platform's stand-in says, :meth:`PlatformSandbox.sent`)."""
    found: list[Receipt] = []
    for account in config.accounts:
        if account.platform not in sandbox.platforms:
            continue
        for post in sandbox[account.platform].sent(account.label):
            found.append(
                Receipt(
                    platform=account.platform,
                    account_label=account.label,
                    platform_post_id=post.post_id,
                    received_at=post.received_at or sandbox.clock.now(),
                    text=post.text,
                    shown_text=post.shown_text if post.shown_text is not None else post.text,
                    media=[
                        {
                            "kind": image.kind,
                            "format": image.format,
                            "width": image.width,
                            "height": image.height,
                            "bytes": image.size_bytes,
                            "alt": image.alt_text,
                        }
                        for image in post.images
                    ],
                    link=post.link,
                )
            )
    return found
