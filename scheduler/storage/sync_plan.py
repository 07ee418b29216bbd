"""The pure part of ``campaign sync``: stored rows + checked posts -> changes + diff.

Nothing here touches the database; :mod:`scheduler.storage.sync` loads the
rows, calls :func:`plan_sync` and writes the :class:`Plan`. The rules are
listed in that module's docstring.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from scheduler.content.resolved import ResolvedPost
from scheduler.errors import ConfigError
from scheduler.storage.models import (
    CANCELLABLE_STATES,
    VISIBLE_STATES,
    PostStatus,
    PublicationState,
)
from scheduler.storage.sync_diff import SyncDiff, SyncEntry

Row = dict[str, Any]
# What went out at some point: its content is what the platform got (or had, for a
# withdrawn post), and sync never publishes it, or a renamed copy of it, again.
WENT_OUT = VISIBLE_STATES | {PublicationState.WITHDRAWN}

# The columns sync reads (a subset of the models, loaded as plain rows: building
# ORM objects would cost more than the whole insert). Texts, media and link are
# not read: the content hash stands for them.
POST_COLUMNS = (
    "id", "message_id", "call", "language", "status", "publish_at", "targets",
    "source_path", "source_line", "content_hash", "revision", "removed_at",
)  # fmt: skip
PUBLICATION_COLUMNS = (
    "id", "post_id", "account_label", "state", "scheduled_at", "next_attempt_at",
    "cancel_source", "platform_url", "published_hash", "claimed_hash",
)  # fmt: skip


class StoredPost(Protocol):
    """A stored post as sync reads it (see :data:`POST_COLUMNS`)."""

    @property
    def id(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def revision(self) -> int: ...
    @property
    def status(self) -> PostStatus: ...
    @property
    def removed_at(self) -> datetime | None: ...


class StoredPublication(Protocol):
    """A stored publication as sync reads it (see :data:`PUBLICATION_COLUMNS`)."""

    @property
    def id(self) -> int: ...
    @property
    def post_id(self) -> str: ...
    @property
    def account_label(self) -> str: ...
    @property
    def state(self) -> PublicationState: ...
    @property
    def scheduled_at(self) -> datetime: ...
    @property
    def next_attempt_at(self) -> datetime: ...
    @property
    def cancel_source(self) -> str | None: ...
    @property
    def platform_url(self) -> str | None: ...
    @property
    def published_hash(self) -> str | None: ...
    @property
    def claimed_hash(self) -> str | None: ...


@dataclass
class Plan:
    """Rows to insert and updates by primary key (dicts holding ``id``), plus the diff."""

    new_posts: list[Row] = field(default_factory=list)
    post_updates: list[Row] = field(default_factory=list)
    new_publications: list[Row] = field(default_factory=list)
    publication_updates: list[Row] = field(default_factory=list)
    diff: SyncDiff = field(default_factory=SyncDiff)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _where(publication: StoredPublication) -> str:
    return f" ({publication.platform_url})" if publication.platform_url else ""


class _Planner:
    def __init__(
        self,
        stored_posts: list[StoredPost],
        publications: list[StoredPublication],
        platforms: dict[str, str],
        now: datetime,
    ) -> None:
        self.posts = {post.id: post for post in stored_posts}
        self.publications: dict[str, dict[str, StoredPublication]] = defaultdict(dict)
        self.visible_hashes: dict[str, StoredPublication] = {}
        for publication in publications:
            self.publications[publication.post_id][publication.account_label] = publication
        for publication in publications:
            if publication.state in WENT_OUT:
                post = self.posts[publication.post_id]
                for value in (
                    publication.published_hash,
                    publication.claimed_hash,
                    post.content_hash,
                ):
                    if value:
                        self.visible_hashes.setdefault(value, publication)
        self.platforms = platforms
        self.now = now
        self.plan = Plan()

    # -- publications -------------------------------------------------------
    def _update(self, publication: StoredPublication, **values: Any) -> None:
        self.plan.publication_updates.append(
            {"id": publication.id, "updated_at": self.now, **values}
        )

    def _new_publication(self, post_id: str, account: str, due: datetime) -> None:
        platform = self.platforms.get(account)
        if platform is None:
            raise ConfigError(
                f"post {post_id!r} targets account {account!r}, which config.yaml does not have",
                hint="run `campaign check`; add the account or fix the post's targets",
            )
        self.plan.new_publications.append(
            {
                "post_id": post_id,
                "account_label": account,
                "platform": platform,
                "state": PublicationState.PENDING,
                "scheduled_at": due,
                "next_attempt_at": due,
                "attempt_count": 0,
                "needs_reconcile": False,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self.plan.diff.added.append(SyncEntry(post_id, account, "queued", due))

    def _drop(self, publication: StoredPublication, reason: str) -> None:
        """Cancel what has not gone out; report what might have as a conflict, and
        a published one as live with the command that takes it down."""
        diff = self.plan.diff
        entry = (publication.post_id, publication.account_label)
        if publication.state in CANCELLABLE_STATES:
            self._update(
                publication,
                state=PublicationState.CANCELLED,
                cancel_source="sync",
                cancel_reason=reason,
            )
            diff.cancelled.append(SyncEntry(*entry, reason, publication.scheduled_at))
        elif publication.state == PublicationState.PUBLISHING:
            detail = f"{reason}, but it is being published right now; it was not cancelled"
            diff.conflicts.append(SyncEntry(*entry, detail, publication.scheduled_at))
        elif publication.state == PublicationState.NEEDS_REVIEW:
            detail = (
                f"{reason}, but it may already be out (needs review); "
                "settle it with `campaign resolve`"
            )
            diff.conflicts.append(SyncEntry(*entry, detail, publication.scheduled_at))
        elif publication.state == PublicationState.PUBLISHED:
            post_id, account = entry
            detail = (
                f"{reason}, but it is live{_where(publication)}; to take it down: "
                f'`campaign withdraw {post_id} --account {account} --reason "..."`'
            )
            diff.live.append(SyncEntry(*entry, detail, publication.scheduled_at))

    # -- posts --------------------------------------------------------------
    def new_post(self, resolved: ResolvedPost) -> None:
        diff = self.plan.diff
        if resolved.status == PostStatus.DRAFT:
            diff.drafts.append(SyncEntry(resolved.id, None, "draft", resolved.publish_at))
            return
        if resolved.status != PostStatus.APPROVED:
            return
        twin = self.visible_hashes.get(resolved.content_hash)
        if twin is not None:
            detail = (
                f"same content as {twin.post_id} on {twin.account_label}, which is "
                f"{twin.state.value}{_where(twin)}; a renamed post is not published twice"
            )
            diff.conflicts.append(SyncEntry(resolved.id, None, detail, resolved.publish_at))
            return
        self.plan.new_posts.append(
            {
                "id": resolved.id,
                **_described_fields(resolved),
                **_content_fields(resolved),
                "revision": 1,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        for account in resolved.targets:
            self._new_publication(resolved.id, account, resolved.publish_at)

    def stored_post(self, resolved: ResolvedPost, post: StoredPost) -> None:
        diff = self.plan.diff
        publications = self.publications.get(post.id, {})
        frozen = [p for p in publications.values() if p.state in WENT_OUT]
        content_changed = post.content_hash != resolved.content_hash
        values = {k: v for k, v in _described_fields(resolved).items() if _differs(post, k, v)}
        if frozen:
            # The stored row is what went out; the pending siblings move on their own rows.
            values.pop("publish_at", None)
        if content_changed and frozen:
            for publication in frozen:
                detail = (
                    f"edited after it was {publication.state.value}{_where(publication)}; "
                    "the edit is not applied (its other accounts keep the stored wording) "
                    "and nothing is published again; to publish new wording, give it a new id"
                )
                diff.conflicts.append(
                    SyncEntry(post.id, publication.account_label, detail, publication.scheduled_at)
                )
        elif content_changed:
            values.update(_content_fields(resolved), revision=post.revision + 1)
        if post.removed_at is not None:
            values["removed_at"] = None
        if values:
            self.plan.post_updates.append({"id": post.id, "updated_at": self.now, **values})

        if resolved.status != PostStatus.APPROVED:
            reason = f"status {resolved.status}"
            if resolved.status == PostStatus.DRAFT:
                diff.drafts.append(SyncEntry(post.id, None, "draft", resolved.publish_at))
            for publication in publications.values():
                self._drop(publication, reason)
            return
        text_edit = (
            f"text (revision {post.revision + 1})" if content_changed and not frozen else None
        )
        # Approved again, or its file restored: say what sync will not undo by itself.
        back = post.status != PostStatus.APPROVED or post.removed_at is not None
        for account in resolved.targets:
            existing = publications.get(account)
            if existing is None:
                self._new_publication(post.id, account, resolved.publish_at)
            else:
                self._targeted(existing, resolved.publish_at, text_edit, back=back)
        for account, publication in publications.items():
            if account not in resolved.targets:
                self._drop(publication, "no longer targets this account")

    def _targeted(
        self,
        publication: StoredPublication,
        due: datetime,
        text_edit: str | None,
        *,
        back: bool = False,
    ) -> None:
        """A publication whose post is approved and still targets its account; ``back``
        when the post was not approved (or its file was missing) until this sync."""
        diff = self.plan.diff
        state = publication.state
        entry = (publication.post_id, publication.account_label)
        moved = publication.scheduled_at != due
        edits = [f"time {_stamp(publication.scheduled_at)} -> {_stamp(due)}"] if moved else []
        edits += [text_edit] if text_edit else []
        if state == PublicationState.CANCELLED:
            if publication.cancel_source == "sync":
                self._update(
                    publication,
                    state=PublicationState.PENDING,
                    scheduled_at=due,
                    next_attempt_at=due,
                    cancel_source=None,
                    cancel_reason=None,
                )
                diff.added.append(SyncEntry(*entry, "queued again", due))
            else:
                retry = f"`campaign retry {entry[0]} --account {entry[1]} --reason ...`"
                detail = f"cancelled by an operator, which sync keeps; {retry} queues it again"
                section = diff.changed if back else diff.unchanged
                section.append(SyncEntry(*entry, detail, publication.scheduled_at))
        elif state == PublicationState.WITHDRAWN:
            detail = "withdrawn; sync never publishes it again (give the post a new id to)"
            diff.unchanged.append(SyncEntry(*entry, detail, publication.scheduled_at))
        elif state in VISIBLE_STATES:
            if moved:
                detail = f"time changed after it was {state.value}; nothing is published again"
                diff.conflicts.append(SyncEntry(*entry, detail, publication.scheduled_at))
            else:
                diff.unchanged.append(SyncEntry(*entry, state.value, publication.scheduled_at))
        elif not edits:
            diff.unchanged.append(SyncEntry(*entry, state.value, publication.scheduled_at))
        elif state in (PublicationState.PENDING, PublicationState.RETRYING):
            if moved:
                next_attempt = due
                if state == PublicationState.RETRYING:
                    next_attempt = max(due, publication.next_attempt_at)
                self._update(publication, scheduled_at=due, next_attempt_at=next_attempt)
            diff.changed.append(SyncEntry(*entry, "; ".join(edits), due))
        else:  # failed or missed: only a person's `campaign retry` queues it again
            if moved:
                self._update(publication, scheduled_at=due)
            detail = "; ".join(edits) + f"; it stays {state.value} (`campaign retry` queues it)"
            diff.changed.append(SyncEntry(*entry, detail, due))

    def removed_post(self, post: StoredPost) -> None:
        if post.removed_at is None:
            self.plan.post_updates.append(
                {"id": post.id, "removed_at": self.now, "updated_at": self.now}
            )
        for publication in self.publications.get(post.id, {}).values():
            self._drop(publication, "file removed")


def _described_fields(resolved: ResolvedPost) -> Row:
    """What sync compares column by column (the content is compared by its hash)."""
    return {
        "message_id": resolved.message_id,
        "call": resolved.call,
        "language": resolved.language,
        "status": PostStatus(resolved.status),
        "publish_at": resolved.publish_at,
        "targets": list(resolved.targets),
        "source_path": resolved.source_path,
        "source_line": resolved.source_line,
    }


def _content_fields(resolved: ResolvedPost) -> Row:
    return {
        "texts": dict(resolved.texts),
        "media": list(resolved.media),
        "alt_texts": list(resolved.alt_texts) if any(resolved.alt_texts) else None,
        "video": _video_row(resolved),
        "link": resolved.link,
        "content_warning": resolved.content_warning,
        "link_card": resolved.link_card,
        "content_hash": resolved.content_hash,
    }


def _video_row(resolved: ResolvedPost) -> Row | None:
    video = resolved.video
    if video is None:
        return None
    return {"path": video.path, "title": video.title, "alt": video.alt}


def _differs(post: StoredPost, key: str, value: Any) -> bool:
    return bool(getattr(post, key) != value)


def plan_sync(
    report_posts: list[ResolvedPost],
    stored_posts: list[StoredPost],
    publications: list[StoredPublication],
    platforms: dict[str, str],
    now: datetime,
) -> Plan:
    """Compare and plan. ``platforms`` maps account label to platform name.

    A post id that appears twice in ``report_posts`` is reported as a conflict
    the second time (``campaign check`` refuses that before sync runs).

    :raises ConfigError: when a post targets an unknown account.
    """
    planner = _Planner(stored_posts, publications, platforms, now)
    seen: set[str] = set()
    # In UTC: an aware local time with fold=1 never compares equal across zones (PEP 495).
    in_utc = [
        post
        if post.publish_at.tzinfo is UTC
        else replace(post, publish_at=post.publish_at.astimezone(UTC))
        for post in report_posts
    ]
    for resolved in sorted(in_utc, key=lambda post: (post.publish_at, post.id)):
        if resolved.id in seen:
            detail = (
                f"the id appears twice (again at {resolved.source_path}:{resolved.source_line})"
            )
            planner.plan.diff.conflicts.append(SyncEntry(resolved.id, None, detail))
            continue
        seen.add(resolved.id)
        stored = planner.posts.get(resolved.id)
        if stored is None:
            planner.new_post(resolved)
        else:
            planner.stored_post(resolved, stored)
    for post_id, post in planner.posts.items():
        if post_id not in seen:
            planner.removed_post(post)
    return planner.plan
