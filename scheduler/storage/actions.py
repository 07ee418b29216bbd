"""What a person does to the queue: cancel, retry, resolve (and pause, resume).

Every action runs in one transaction and writes an :class:`AuditEntry` per
publication it changes (who, when in UTC, why, and the move itself). The CLI,
the daemon and the dashboard all call these functions.

A target is a post id (the action applies to each of its publications that
may make the move, or only to ``account``'s), a message id (the same, over all
its language versions: ``launch`` for ``launch-en`` and ``launch-fr``), or a
publication id (an int, as the timeline and the history show it). Allowed moves:

=========  =========================================  ===============================
action     from                                       to
=========  =========================================  ===============================
cancel     pending, retrying, failed, missed,         cancelled (``cancel_source``
           needs_review                               ``operator``: sync keeps it so)
retry      failed, missed, needs_review; or, when     pending, due at its time (now
           none of the targeted publications is in    once passed), attempts reset
           those, cancelled (undoing a cancel)
resolve    needs_review                               published (with the URL), or
                                                      pending, due now (not published)
=========  =========================================  ===============================

Retry undoes a cancel only when nothing else targeted can be retried, so that
retrying a post's failed publication never also re-queues one a person
cancelled on purpose; name the cancelled one (``account``, or its publication
id) to queue it again. Retry only queues what the post file still asks for:
the post approved, its file present, the account still among its targets.

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
from scheduler.platforms import registry
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
from scheduler.storage.lookup import PostTarget, find_posts
from scheduler.storage.models import PostStatus, Publication
from scheduler.storage.models import PublicationState as State

# The pause and resume actions live in holds.py; they are part of this module's API.
__all__ = [
    "CAMPAIGN_SCOPE", "CANCEL_FROM", "RESOLVE_FROM", "RETRY_CANCELLED_FROM", "RETRY_FROM",
    "ActionResult", "Change", "Skipped",
    "account_scope", "active_holds", "cancel", "current_actor", "hold_for", "pause",
    "platform_post_id_from_url", "resolve", "resume", "retry", "targeted",
]  # fmt: skip

CANCEL_FROM = frozenset(
    {State.PENDING, State.RETRYING, State.FAILED, State.MISSED, State.NEEDS_REVIEW}
)
RETRY_FROM = frozenset({State.FAILED, State.MISSED, State.NEEDS_REVIEW})
# What retry moves when nothing targeted is in RETRY_FROM: undoing a cancel.
RETRY_CANCELLED_FROM = frozenset({State.CANCELLED})
RESOLVE_FROM = frozenset({State.NEEDS_REVIEW})


@dataclass(frozen=True)
class Change:
    """One publication's move: ``before`` and ``after`` are state values."""

    publication_id: int
    post_id: str
    account: str
    before: str
    after: str


@dataclass(frozen=True)
class Skipped:
    """A targeted publication the action left alone, and why (its state, or the
    reason it may not move)."""

    post_id: str
    account: str
    why: str


@dataclass
class ActionResult:
    """What an action did. ``target`` says which posts a post or message id named
    (None for a publication id); ``skipped`` lists what it could not move."""

    action: str
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    target: PostTarget | None = None


def targeted(
    session: Session, target: str | int, account: str | None, *, lock: bool = True
) -> tuple[list[Publication], PostTarget | None]:
    """The publications ``target`` names (a publication id, or a post or message id,
    only ``account``'s when given), by post then account, locked for update on
    PostgreSQL unless ``lock`` is False; and which posts a post or message id named.

    :raises NotFoundError: nothing matches.
    """
    query = select(Publication).order_by(Publication.post_id, Publication.account_label)
    found_posts: PostTarget | None = None
    if isinstance(target, int):
        query = query.where(Publication.id == target)
    else:
        found_posts = find_posts(session, target)
        query = query.where(Publication.post_id.in_(found_posts.post_ids))
        if account is not None:
            query = query.where(Publication.account_label == account)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    found = list(session.scalars(query))
    if found:
        return found, found_posts
    if isinstance(target, int):
        raise NotFoundError("publication", str(target))
    raise NotFoundError("publication", f"{target}@{account}")


def _label(target: str | int, publications: list[Publication]) -> str:
    if len(publications) == 1:
        return f"{publications[0].post_id}@{publications[0].account_label}"
    return str(target)


def _choose(
    target: str | int, publications: list[Publication], move: _Move
) -> tuple[list[Publication], list[Skipped]]:
    """The publications ``move`` applies to, and the others with the reason."""
    allowed = move.allowed
    if move.fallback and not any(p.state in allowed for p in publications):
        allowed = move.fallback
    chosen = [p for p in publications if p.state in allowed]
    skipped = [
        Skipped(p.post_id, p.account_label, p.state.value)
        for p in publications
        if p.state not in allowed
    ]
    if not chosen:
        several_posts = len({p.post_id for p in publications}) > 1
        current = ", ".join(
            f"{item.post_id}@{item.account} {item.why}"
            if several_posts
            else f"{item.account} {item.why}"
            if len(publications) > 1
            else item.why
            for item in skipped
        )
        allowed_text = ", ".join(sorted(s.value for s in move.allowed | move.fallback))
        allowed_text = f"publications that are {allowed_text}"
        hint = None
        if any(p.state == State.WITHDRAWN for p in publications):
            hint = (
                "a withdrawn post is never published again; to publish it anew, "
                "write it as a new post with a new id"
            )
        raise InvalidTransition(
            _label(target, publications), current, move.wanted.value, allowed_text, hint=hint
        )
    if move.guard is None:
        return chosen, skipped
    refused: list[InvalidTransition] = []
    kept = []
    for publication in chosen:
        try:
            move.guard(publication)
        except InvalidTransition as error:
            refused.append(error)
            skipped.append(Skipped(publication.post_id, publication.account_label, error.current))
        else:
            kept.append(publication)
    if not kept:
        raise refused[0]
    return kept, skipped


@dataclass(frozen=True)
class _Move:
    """One kind of operator move; ``values`` gives the columns to set on a publication;
    ``fallback`` the states it moves when none targeted is in ``allowed``; ``guard``
    raises InvalidTransition for a publication that may not move after all."""

    action: str
    allowed: frozenset[State]
    wanted: State
    values: Callable[[Publication], dict[str, Any]]
    detail: str = ""
    single: bool = False
    guard: Callable[[Publication], None] | None = None
    fallback: frozenset[State] = frozenset()


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
        publications, result.target = targeted(session, target, account)
        chosen, result.skipped = _choose(target, publications, move)
        if move.single and len(chosen) > 1:
            names = ", ".join(f"{p.post_id}@{p.account_label}" for p in chosen)
            raise StorageError(
                f"{target} has several publications that could {move.action} ({names}); "
                "name one with its post id and --account, or its publication number"
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
    # Due at the post's own time, or now when that has passed: undoing a cancel
    # ahead of time must not publish early.
    values = {
        "attempt_count": 0,
        "claimed_by": None,
        "lease_expires_at": None,
        "claimed_revision": None,
        "claimed_hash": None,
        "needs_reconcile": False,
        "last_error": None,
        "cancel_source": None,
        "cancel_reason": None,
    }
    return lambda publication: {
        **values,
        "next_attempt_at": max(publication.scheduled_at, now),
        "requeued_at": now,
    }


def _still_in_posts(publication: Publication) -> None:
    """Refuse to queue what the post file no longer asks for, saying how to fix it."""
    post = publication.post
    where = f"{post.source_path}:{post.source_line}"
    label = f"{post.id}@{publication.account_label}"
    retry = f"`campaign retry {post.id} --account {publication.account_label} --reason ...`"
    if post.removed_at is not None:
        why, hint = "file removed", f"restore {post.source_path}, run `campaign sync`, then {retry}"
    elif post.status != PostStatus.APPROVED:
        why = f"status {post.status.value} in its file"
        hint = f"set `status: approved` in {where}, run `campaign sync`, then {retry}"
    elif publication.account_label not in post.targets:
        why = "no longer targeted by its post"
        hint = (
            f"add {publication.account_label} to the post's targets in {where}, run `campaign sync`"
        )
    else:
        return
    raise InvalidTransition(label, why, "queued", "approved posts that target the account", hint)


def cancel(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Cancel what has not gone out (see the table above); sync will not re-queue it
    (``campaign retry`` does).

    :raises NotFoundError: no such post, message, publication or account on the post.
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
    """Queue failed, missed or needs-review publications again, due at their time or
    ``now`` when it has passed; when none of the targeted ones is, queue the
    cancelled ones again (undo a cancel).

    :raises NotFoundError: no such post, message, publication or account on the post.
    :raises InvalidTransition: nothing targeted can be retried, or the post's file
        was removed, is no longer approved or no longer targets the account (the
        message says what to change, then sync).
    :raises ConfigError: an empty reason.
    """
    move = _Move(
        "retry", RETRY_FROM, State.PENDING, _requeue(now), guard=_still_in_posts,
        fallback=RETRY_CANCELLED_FROM,
    )  # fmt: skip
    return _move(sessions, move, target, account, reason=reason, actor=actor, now=now)


def platform_post_id_from_url(url: str) -> str | None:
    """The platform's post id read from a post's public URL, or None when unknown:
    the first platform, in the registry's order, whose profile reads one in it."""
    for profile in registry.profiles():
        post_id = profile.post_id_from_url(url)
        if post_id is not None:
            return post_id
    return None


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
    published, which puts it back in the queue (due at ``now`` once its time passed).

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
