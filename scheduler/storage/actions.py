"""What a person does to the queue: cancel, retry, resolve (and pause, resume).

Every action runs in one transaction and writes an :class:`AuditEntry` per
publication it changes (who, when in UTC, why, and the move itself). The CLI,
the daemon and the dashboard all call these functions.

A target is a post id (the action applies to each of its publications that
may make the move, or only to ``account``'s) or a publication id (an int, as
the timeline and the history show it). Allowed moves:

=========  =========================================  ===============================
action     from                                       to
=========  =========================================  ===============================
cancel     pending, retrying, failed, missed,         cancelled (``cancel_source``
           needs_review                               ``operator``: sync keeps it so)
retry      failed, missed, needs_review               pending, due now, attempts reset
resolve    needs_review                               published (with the URL), or
                                                      pending, due now (not published)
=========  =========================================  ===============================

"Due now" sets ``next_attempt_at`` to the action's time (``scheduled_at`` keeps
the post's own time): the daemon measures lateness from ``next_attempt_at``, so
a retried post is not marked missed again at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import ConfigError, InvalidTransition, NotFoundError, StorageError
from scheduler.storage.audit import current_actor, record_audit
from scheduler.storage.database import writing
from scheduler.storage.holds import (
    CAMPAIGN_SCOPE,
    account_scope,
    active_holds,
    hold_for,
    pause,
    resume,
)
from scheduler.storage.models import Post, PostStatus, Publication
from scheduler.storage.models import PublicationState as State

# The pause and resume actions live in holds.py; they are part of this module's API.
__all__ = [
    "CAMPAIGN_SCOPE", "CANCEL_FROM", "RESOLVE_FROM", "RETRY_FROM", "ActionResult", "Change",
    "account_scope", "active_holds", "cancel", "current_actor", "hold_for", "pause",
    "platform_post_id_from_url", "resolve", "resume", "retry",
]  # fmt: skip

CANCEL_FROM = frozenset(
    {State.PENDING, State.RETRYING, State.FAILED, State.MISSED, State.NEEDS_REVIEW}
)
RETRY_FROM = frozenset({State.FAILED, State.MISSED, State.NEEDS_REVIEW})
RESOLVE_FROM = frozenset({State.NEEDS_REVIEW})

# X: https://x.com/{user}/status/{id} [platforms.md 1]; Facebook: {page-id}_{post-id}
# appears in permalinks and is the Graph id of a Page post [platforms.md 2.5].
_X_STATUS = re.compile(r"/status(?:es)?/(\d+)")
_FACEBOOK_ID = re.compile(r"(\d+)_(\d+)")
_FACEBOOK_PAGE_POST = re.compile(r"facebook\.com/(\d+)/posts/(\d+)")
_FACEBOOK_STORY = re.compile(r"story_fbid=(\d+).*?[?&]id=(\d+)")


@dataclass(frozen=True)
class Change:
    """One publication's move: ``before`` and ``after`` are state values."""

    publication_id: int
    post_id: str
    account: str
    before: str
    after: str


@dataclass
class ActionResult:
    """What an action did; ``skipped`` lists (account, state) it could not move."""

    action: str
    changes: list[Change] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _publications(session: Session, target: str | int, account: str | None) -> list[Publication]:
    query = select(Publication).order_by(Publication.account_label)
    if isinstance(target, int):
        query = query.where(Publication.id == target)
    else:
        query = query.where(Publication.post_id == target)
        if account is not None:
            query = query.where(Publication.account_label == account)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    found = list(session.scalars(query))
    if found:
        return found
    if isinstance(target, int):
        raise NotFoundError("publication", str(target))
    if session.get(Post, target) is None:
        raise NotFoundError("post", target)
    raise NotFoundError("publication", f"{target}@{account}")


def _movable(
    publications: list[Publication], allowed: frozenset[State], wanted: State
) -> tuple[list[Publication], list[tuple[str, str]]]:
    chosen = [p for p in publications if p.state in allowed]
    skipped = [(p.account_label, p.state.value) for p in publications if p.state not in allowed]
    if not chosen:
        first = publications[0]
        label = f"{first.post_id}@{first.account_label}" if len(skipped) == 1 else first.post_id
        current = ", ".join(f"{account} {state}" for account, state in skipped)
        allowed_text = ", ".join(sorted(state.value for state in allowed))
        raise InvalidTransition(label, current, wanted.value, allowed_text)
    return chosen, skipped


@dataclass(frozen=True)
class _Move:
    """One kind of operator move; ``values`` gives the columns to set on a publication."""

    action: str
    allowed: frozenset[State]
    wanted: State
    values: Callable[[Publication], dict[str, Any]]
    detail: str = ""
    single: bool = False
    guard: Callable[[Publication], None] | None = None


def _move(
    sessions: sessionmaker[Session],
    move: _Move,
    target: str | int,
    account: str | None,
    *,
    reason: str,
    actor: str | None,
    now: datetime,
) -> ActionResult:
    if not reason.strip():
        raise ConfigError(f"`campaign {move.action}` needs a reason", where="--reason")
    result = ActionResult(move.action)
    with writing(sessions) as session:
        publications = _publications(session, target, account)
        if move.guard is not None:
            for publication in publications:
                move.guard(publication)
        chosen, result.skipped = _movable(publications, move.allowed, move.wanted)
        if move.single and len(chosen) > 1:
            accounts = ", ".join(p.account_label for p in chosen)
            raise StorageError(
                f"{target} has several publications that could {move.action} ({accounts}); "
                "name one with --account"
            )
        for publication in chosen:
            before = publication.state.value
            values = {"state": move.wanted, "updated_at": now, **move.values(publication)}
            for key, value in values.items():
                setattr(publication, key, value)
            post_id, label = publication.post_id, publication.account_label
            result.changes.append(Change(publication.id, post_id, label, before, move.wanted.value))
            detail = f"{before} -> {move.wanted.value}{move.detail}"
            record_audit(
                session, move.action, f"{post_id}@{label}", reason, actor or current_actor(),
                now, detail,
            )  # fmt: skip
    return result


def _requeue(now: datetime) -> Callable[[Publication], dict[str, Any]]:
    values = {
        "next_attempt_at": now,
        "attempt_count": 0,
        "claimed_by": None,
        "lease_expires_at": None,
        "claimed_revision": None,
        "claimed_hash": None,
        "needs_reconcile": False,
        "last_error": None,
    }
    return lambda _publication: values


def _still_in_posts(publication: Publication) -> None:
    post = publication.post
    if post.removed_at is not None or post.status != PostStatus.APPROVED:
        why = "removed" if post.removed_at is not None else post.status.value
        raise InvalidTransition(
            f"{post.id} ({why})", why, "queued", "approved posts whose file exists"
        )


def cancel(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Cancel what has not gone out (see the table above); sync will not re-queue it.

    :raises NotFoundError: no such post, publication or account on the post.
    :raises InvalidTransition: nothing targeted may be cancelled (published, say).
    :raises ConfigError: an empty reason.
    """
    values = {"cancel_source": "operator", "cancel_reason": reason}
    move = _Move("cancel", CANCEL_FROM, State.CANCELLED, lambda _publication: values)
    return _move(sessions, move, target, account, reason=reason, actor=actor, now=now)


def retry(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Queue failed, missed or needs-review publications again, due at ``now``.

    :raises NotFoundError: no such post, publication or account on the post.
    :raises InvalidTransition: nothing targeted is failed, missed or needs review, or
        the post's file was removed or is no longer approved (restore it and sync).
    :raises ConfigError: an empty reason.
    """
    move = _Move("retry", RETRY_FROM, State.PENDING, _requeue(now), guard=_still_in_posts)
    return _move(sessions, move, target, account, reason=reason, actor=actor, now=now)


def platform_post_id_from_url(url: str) -> str | None:
    """The platform's post id read from a post's public URL, or None when unknown."""
    for pattern in (_X_STATUS, _FACEBOOK_ID, _FACEBOOK_PAGE_POST):
        match = pattern.search(url)
        if match:
            return "_".join(match.groups())
    story = _FACEBOOK_STORY.search(url)
    return f"{story.group(2)}_{story.group(1)}" if story else None


def resolve(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    published_url: str | None,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Settle a needs-review publication: published at ``published_url``, or (None) not
    published, which puts it back in the queue due at ``now``.

    A post with several publications in review needs ``account`` when a URL is given.

    :raises NotFoundError: no such post, publication or account on the post.
    :raises InvalidTransition: the publication does not need review.
    :raises ConfigError: a URL that is not http(s), or an empty reason.
    :raises StorageError: a URL given for a post with several publications in review.
    """
    if published_url is None:
        move = _Move("resolve", RESOLVE_FROM, State.PENDING, _requeue(now), " (not published)")
        return _move(sessions, move, target, account, reason=reason, actor=actor, now=now)
    if not re.match(r"https?://\S+$", published_url):
        raise ConfigError(f"{published_url!r} is not a web address", where="--published")
    url = published_url

    def published(publication: Publication) -> dict[str, Any]:
        started = [attempt.started_at for attempt in publication.attempts]
        return {
            "platform_url": url,
            "platform_post_id": platform_post_id_from_url(url),
            # The uncertain try is when it went out; the resolve only confirms it.
            "published_at": max(started) if started else now,
            "published_hash": publication.claimed_hash or publication.post.content_hash,
            "needs_reconcile": False,
            "lease_expires_at": None,
            "last_error": None,
        }

    move = _Move("resolve", RESOLVE_FROM, State.PUBLISHED, published, f" {url}", single=True)
    why = reason or f"confirmed published at {url}"
    return _move(sessions, move, target, account, reason=why, actor=actor, now=now)
