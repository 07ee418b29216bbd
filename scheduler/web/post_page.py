"""One post's page: its texts per platform, siblings, publications and attempts.

:func:`load_post_page` reads everything in one short read and returns plain
frozen values, so the template renders after the session is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError
from scheduler.platforms import registry
from scheduler.platforms.facts import TextLength
from scheduler.platforms.fixes import refusal_fix
from scheduler.storage.actions import CANCEL_FROM, RESOLVE_FROM, RETRY_FROM
from scheduler.storage.models import Post, PostStatus, Publication, PublicationState
from scheduler.storage.queries import post_detail

# The moves the store's actions allow, as state values.
RETRYABLE = frozenset(state.value for state in RETRY_FROM)
CANCELLABLE = frozenset(state.value for state in CANCEL_FROM)
RESOLVABLE = frozenset(state.value for state in RESOLVE_FROM)


def measure(config: CampaignConfig, platform: str, text: str) -> TextLength:
    """``text``'s length as ``platform`` counts it, with its limit (its profile's
    text rule); characters with no limit for a platform no profile describes."""
    profile = registry.find(platform)
    if profile is None:
        return TextLength(len(text), None, "characters")
    return profile.text_rule(config.platforms[platform]).measure(text)


@dataclass(frozen=True)
class PlatformText:
    """The exact text a platform receives and its measured length; on a platform
    that shows a content warning, the warning too (then the length counts both,
    as that platform does)."""

    platform: str
    text: str
    length: TextLength
    content_warning: str | None = None


@dataclass(frozen=True)
class AttemptView:
    """One try; times aware UTC, ``http_status`` None when no response came."""

    id: int
    worker_id: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    http_status: int | None
    platform_code: str | None
    platform_message: str | None


@dataclass(frozen=True)
class PublicationView:
    """One publication with its attempts and the operator actions its state allows;
    ``can_requeue`` is True for a cancelled one that retry may queue again (its post
    is approved in posts/ and still targets the account)."""

    id: int
    account_label: str
    account_name: str
    platform: str
    state: str
    scheduled_at: datetime
    next_attempt_at: datetime
    attempt_count: int
    published_at: datetime | None
    platform_url: str | None
    last_error: str | None
    claimed_by: str | None
    cancel_source: str | None
    cancel_reason: str | None
    attempts: tuple[AttemptView, ...]
    can_requeue: bool = False

    @property
    def can_retry(self) -> bool:
        return self.state in RETRYABLE or self.can_requeue

    @property
    def can_cancel(self) -> bool:
        return self.state in CANCELLABLE

    @property
    def can_resolve(self) -> bool:
        return self.state in RESOLVABLE

    @property
    def can_withdraw(self) -> bool:
        return self.state == "published"

    @property
    def fix(self) -> str | None:
        """How to settle a failed or missed publication (from its latest attempt)."""
        if self.state == "missed":
            return refusal_fix(self.platform, "missed", None, None)
        if self.state != "failed" or not self.attempts:
            return None
        last = self.attempts[-1]
        return refusal_fix(self.platform, last.outcome, last.platform_code, last.http_status)


@dataclass(frozen=True)
class AuditView:
    """An operator action recorded about this post or one of its publications;
    ``detail`` is the change itself (``needs_review -> published https://...``)."""

    at: datetime
    actor: str
    action: str
    target: str
    reason: str
    detail: str | None


@dataclass(frozen=True)
class PostPage:
    """Everything the post page shows; ``siblings`` are (post id, language) pairs;
    ``alt_texts`` are the images' alt texts in ``media`` order (empty: none);
    ``video`` is ``{path, title, alt}`` for a video post; ``content_warning``
    the words shown before the text where a platform has them."""

    id: str
    message_id: str
    call: str
    language: str
    status: str
    publish_at: datetime
    link: str | None
    media: tuple[str, ...]
    alt_texts: tuple[str, ...]
    video: dict[str, str | None] | None
    content_warning: str | None
    logo: str
    source: str
    revision: int
    removed_at: datetime | None
    texts: tuple[PlatformText, ...]
    siblings: tuple[tuple[str, str], ...]
    publications: tuple[PublicationView, ...]
    audit: tuple[AuditView, ...]


def _account_name(config: CampaignConfig, label: str) -> str:
    try:
        return config.account(label).name
    except ConfigError:
        return label  # an account since removed from config.yaml keeps its history


def _publication(config: CampaignConfig, pub: Publication) -> PublicationView:
    attempts = tuple(
        AttemptView(
            a.id,
            a.worker_id,
            a.started_at,
            a.ended_at,
            a.outcome,
            a.http_status,
            a.platform_code,
            a.platform_message,
        )
        for a in pub.attempts
    )
    return PublicationView(
        id=pub.id,
        account_label=pub.account_label,
        account_name=_account_name(config, pub.account_label),
        platform=pub.platform,
        state=str(pub.state),
        scheduled_at=pub.scheduled_at,
        next_attempt_at=pub.next_attempt_at,
        attempt_count=pub.attempt_count,
        published_at=pub.published_at,
        platform_url=pub.platform_url,
        last_error=pub.last_error,
        claimed_by=pub.claimed_by,
        cancel_source=pub.cancel_source,
        cancel_reason=pub.cancel_reason,
        attempts=attempts,
        can_requeue=_requeueable(pub),
    )


def _requeueable(pub: Publication) -> bool:
    post = pub.post
    return (
        pub.state == PublicationState.CANCELLED
        and post.status == PostStatus.APPROVED
        and post.removed_at is None
        and pub.account_label in post.targets
    )


def platform_text(
    config: CampaignConfig, platform: str, text: str, warning: str | None
) -> PlatformText:
    """``text`` as ``platform`` receives it, with the post's content ``warning``
    (None: none) where the platform shows one, measured as it counts them."""
    profile = registry.find(platform)
    if not warning or profile is None or not profile.takes_content_warning:
        return PlatformText(platform, text, measure(config, platform, text))
    return PlatformText(platform, text, measure(config, platform, warning + text), warning)


def load_post_page(session: Session, config: CampaignConfig, post_id: str) -> PostPage:
    """The page of post ``post_id``, from the store's post detail (newest audit first).

    :raises NotFoundError: when there is no such post.
    """
    detail = post_detail(session, post_id)
    post = detail.post
    siblings = session.execute(
        select(Post.id, Post.language)
        .where(Post.message_id == post.message_id, Post.id != post.id)
        .order_by(Post.language)
    ).all()
    publications = sorted(
        detail.publications, key=lambda pub: (registry.position(pub.platform), pub.account_label)
    )
    texts = tuple(
        platform_text(config, platform, str(text), post.content_warning)
        for platform, text in sorted(
            post.texts.items(), key=lambda item: registry.position(item[0])
        )
    )
    return PostPage(
        id=post.id,
        message_id=post.message_id,
        call=post.call,
        language=post.language,
        status=str(post.status),
        publish_at=post.publish_at,
        link=post.link,
        media=tuple(str(path) for path in post.media),
        alt_texts=tuple(str(alt) for alt in post.alt_texts or ()) + ("",) * len(post.media),
        video=dict(post.video) if post.video else None,
        content_warning=post.content_warning,
        logo=config.logo_path(post.language, post.call),
        source=f"{post.source_path}:{post.source_line}",
        revision=post.revision,
        removed_at=post.removed_at,
        texts=texts,
        siblings=tuple((sibling_id, language) for sibling_id, language in siblings),
        publications=tuple(_publication(config, pub) for pub in publications),
        audit=tuple(
            AuditView(e.at, e.actor, e.action, e.target, e.reason, e.detail)
            for e in reversed(detail.audit)
        ),
    )
